/* routes.c - every route of the API, the permission it needs (auth/rbac.h)
 * and its handler, in one table. The dispatcher enforces the permission
 * before the handler runs (http/gate.h). A unit test checks that each names
 * a known permission and that docs/openapi.yaml shows the same one; an
 * integration test that each non-public one refuses strangers (401) and
 * callers who lack its permission (403). */
#include "api/api.h"

#include <string.h>

#include "api/handlers.h"
#include "auth/rbac.h"
#include "track/conf.h"
#include "users/conf.h"

#define PUBLIC    MQ_PERM_PUBLIC
#define SIGNED_IN MQ_PERM_SIGNED_IN
#define UPLOAD    MQ_ROUTE_UPLOAD
#define QUERY_KEY MQ_ROUTE_QUERY_KEY
#define OWN       MQ_ROUTE_OWN_SESSION
#define CALLER    MQ_ROUTE_CALLER_OPTIONAL
#define IMPORT    MQ_ROUTE_IMPORT

struct route {
    struct mq_api_route r;
    mq_handler handler;
};

static const struct route routes[] = {
    {{MQ_GET, "/healthz", PUBLIC, 0}, mq_api_healthz},
    {{MQ_GET, "/readyz", PUBLIC, 0}, mq_api_readyz},
    {{MQ_GET, "/startupz", PUBLIC, 0}, mq_api_startupz},
    {{MQ_GET, "/metrics", PUBLIC, 0}, mq_api_metrics},
    {{MQ_GET, "/api/v1/openapi.json", PUBLIC, 0}, mq_api_openapi},
    {{MQ_GET, "/.well-known/jwks.json", PUBLIC, 0}, mq_api_jwks},
    {{MQ_GET, "/api/v1/system/info", PUBLIC, 0}, mq_api_system_info},
    {{MQ_GET, "/api/v1/settings", PUBLIC, 0}, mq_api_settings_public},
    {{MQ_POST, "/api/v1/reports/csp", PUBLIC, 0}, mq_api_csp_report},
    {{MQ_POST, "/api/v1/setup", PUBLIC, 0}, mq_api_setup},
    {{MQ_POST, "/api/v1/auth/login", PUBLIC, 0}, mq_api_auth_login},
    /* The token in the path is the credential: Plex and Jellyfin post to a URL.
     * Bodies stay within http_max_body (a payload and Plex's thumbnail). */
    {{MQ_POST, "/api/v1/scrobble/{token}", PUBLIC, 0}, mq_api_scrobble},
    {{MQ_GET, "/api/v1/notifications/unsubscribe", PUBLIC, 0}, mq_api_unsubscribe_check},
    {{MQ_GET, "/api/v1/users/me/calendar.ics", PUBLIC, 0}, mq_api_calendar_feed},
    {{MQ_POST, "/api/v1/notifications/unsubscribe", PUBLIC, 0}, mq_api_unsubscribe},
    {{MQ_POST, "/api/v1/auth/refresh", PUBLIC, 0}, mq_api_auth_refresh},
    {{MQ_POST, "/api/v1/auth/logout", PUBLIC, CALLER}, mq_api_auth_logout},
    {{MQ_POST, "/api/v1/auth/register", PUBLIC, 0}, mq_api_auth_register},
    {{MQ_POST, "/api/v1/auth/verify-email", PUBLIC, 0}, mq_api_auth_verify_email},
    {{MQ_POST, "/api/v1/auth/resend-verification", PUBLIC, CALLER},
     mq_api_auth_resend_verification},
    {{MQ_POST, "/api/v1/auth/forgot-password", PUBLIC, 0}, mq_api_auth_forgot_password},
    {{MQ_POST, "/api/v1/auth/reset-password", PUBLIC, 0}, mq_api_auth_reset_password},
    {{MQ_POST, "/api/v1/auth/mfa/verify", PUBLIC, 0}, mq_api_auth_mfa_verify},
    {{MQ_POST, "/api/v1/auth/passkey/begin", PUBLIC, 0}, mq_api_auth_passkey_begin},
    {{MQ_POST, "/api/v1/auth/passkey/finish", PUBLIC, 0}, mq_api_auth_passkey_finish},
    /* With an mfa_token and no account yet, or signed in, re-authenticating. */
    {{MQ_POST, "/api/v1/mfa/webauthn/login/begin", PUBLIC, CALLER}, mq_api_webauthn_login_begin},
    {{MQ_POST, "/api/v1/mfa/webauthn/login/finish", PUBLIC, CALLER}, mq_api_webauthn_login_finish},
    {{MQ_POST, "/api/v1/auth/reauthenticate", SIGNED_IN, OWN}, mq_api_auth_reauthenticate},
    /* Members see each other's pictures (a household's "who is watching"). */
    {{MQ_GET, "/api/v1/users/{id}/avatar", SIGNED_IN, QUERY_KEY}, mq_api_users_avatar},

    {{MQ_GET, "/api/v1/users/me", "self:read", 0}, mq_api_users_me},
    {{MQ_PATCH, "/api/v1/users/me", "self:write", OWN}, mq_api_users_me_update},
    {{MQ_DELETE, "/api/v1/users/me", "self:write", OWN}, mq_api_users_me_delete},
    {{MQ_POST, "/api/v1/users/me/change-password", "self:write", OWN},
     mq_api_users_me_change_password},
    {{MQ_GET, "/api/v1/users/me/preferences", "self:read", 0}, mq_api_users_me_preferences},
    {{MQ_PATCH, "/api/v1/users/me/preferences", "self:write", 0},
     mq_api_users_me_preferences_update},
    {{MQ_POST, "/api/v1/users/me/avatar", "self:write", UPLOAD}, mq_api_users_me_avatar_set},
    {{MQ_DELETE, "/api/v1/users/me/avatar", "self:write", 0}, mq_api_users_me_avatar_delete},
    {{MQ_GET, "/api/v1/users/me/activity", "self:read", 0}, mq_api_users_me_activity},
    {{MQ_GET, "/api/v1/users/me/roles", "self:read", 0}, mq_api_users_me_roles},
    {{MQ_GET, "/api/v1/users/me/parental-controls", "self:read", 0}, mq_api_parental_get},
    {{MQ_PATCH, "/api/v1/users/me/parental-controls", "self:write", OWN}, mq_api_parental_update},
    {{MQ_POST, "/api/v1/users/me/parental-controls/verify-pin", "self:write", OWN},
     mq_api_parental_verify_pin},
    {{MQ_GET, "/api/v1/users/me/api-keys", "self:read", 0}, mq_api_apikeys_list},
    {{MQ_POST, "/api/v1/users/me/api-keys", "self:write", OWN}, mq_api_apikeys_create},
    {{MQ_PATCH, "/api/v1/users/me/api-keys/{id}", "self:write", OWN}, mq_api_apikeys_update},
    {{MQ_DELETE, "/api/v1/users/me/api-keys/{id}", "self:write", OWN}, mq_api_apikeys_delete},
    {{MQ_GET, "/api/v1/users/me/scrobble-tokens", "self:read", 0}, mq_api_scrobble_tokens},
    {{MQ_POST, "/api/v1/users/me/scrobble-tokens", "self:write", OWN},
     mq_api_scrobble_token_create},
    {{MQ_DELETE, "/api/v1/users/me/scrobble-tokens/{id}", "self:write", OWN},
     mq_api_scrobble_token_delete},
    {{MQ_GET, "/api/v1/users/me/follows", "self:read", 0}, mq_api_follows},
    {{MQ_GET, "/api/v1/users/me/upcoming", "self:read", 0}, mq_api_upcoming},
    {{MQ_GET, "/api/v1/users/me/calendar-token", "self:read", 0}, mq_api_calendar_token_get},
    {{MQ_POST, "/api/v1/users/me/calendar-token", "self:write", OWN}, mq_api_calendar_token_rotate},
    {{MQ_DELETE, "/api/v1/users/me/calendar-token", "self:write", OWN},
     mq_api_calendar_token_delete},
    {{MQ_PUT, "/api/v1/users/me/follows/{kind}/{id}", "self:write", 0}, mq_api_follow_put},
    {{MQ_DELETE, "/api/v1/users/me/follows/{kind}/{id}", "self:write", 0}, mq_api_follow_delete},
    {{MQ_GET, "/api/v1/users/me/notifications", "self:read", 0}, mq_api_notifications},
    {{MQ_GET, "/api/v1/users/me/notifications/unread-count", "self:read", 0},
     mq_api_notifications_unread},
    {{MQ_POST, "/api/v1/users/me/notifications/read-all", "self:write", 0},
     mq_api_notifications_read_all},
    {{MQ_POST, "/api/v1/users/me/notifications/{id}/read", "self:write", 0},
     mq_api_notification_read},
    {{MQ_DELETE, "/api/v1/users/me/notifications/{id}", "self:write", 0},
     mq_api_notification_delete},
    {{MQ_GET, "/api/v1/users/me/notification-preferences", "self:read", 0},
     mq_api_notify_prefs_get},
    {{MQ_PUT, "/api/v1/users/me/notification-preferences", "self:write", 0},
     mq_api_notify_prefs_put},
    {{MQ_GET, "/api/v1/users/me/notification-channels", "self:read", 0}, mq_api_notify_channels},
    {{MQ_POST, "/api/v1/users/me/notification-channels", "self:write", OWN},
     mq_api_notify_channel_create},
    {{MQ_PATCH, "/api/v1/users/me/notification-channels/{id}", "self:write", OWN},
     mq_api_notify_channel_update},
    {{MQ_DELETE, "/api/v1/users/me/notification-channels/{id}", "self:write", OWN},
     mq_api_notify_channel_delete},
    {{MQ_POST, "/api/v1/users/me/notification-channels/{id}/test", "self:write", 0},
     mq_api_notify_channel_test},
    {{MQ_GET, "/api/v1/users/me/notification-deliveries", "self:read", 0},
     mq_api_notify_deliveries},
    {{MQ_GET, "/api/v1/users/me/continue-watching", "self:read", 0}, mq_api_continue_watching},
    {{MQ_GET, "/api/v1/users/me/next-up", "self:read", 0}, mq_api_next_up},
    {{MQ_GET, "/api/v1/users/me/history", "self:read", 0}, mq_api_history},
    {{MQ_DELETE, "/api/v1/users/me/history/{entryId}", "self:write", 0}, mq_api_history_delete},
    {{MQ_GET, "/api/v1/users/me/stats", "self:read", 0}, mq_api_stats},
    {{MQ_GET, "/api/v1/users/me/export", "self:read", OWN}, mq_api_export},
    {{MQ_GET, "/api/v1/users/me/library", "self:read", 0}, mq_api_library},
    {{MQ_GET, "/api/v1/users/me/library/{mediaId}", "self:read", 0}, mq_api_library_get},
    {{MQ_PUT, "/api/v1/users/me/library/{mediaId}", "self:write", 0}, mq_api_library_put},
    {{MQ_DELETE, "/api/v1/users/me/library/{mediaId}", "self:write", 0}, mq_api_library_delete},
    {{MQ_POST, "/api/v1/import/csv", "self:write", IMPORT}, mq_api_import_csv},
    {{MQ_POST, "/api/v1/import/manual", "self:write", 0}, mq_api_import_manual},
    {{MQ_GET, "/api/v1/import/history", "self:read", 0}, mq_api_import_history},
    {{MQ_GET, "/api/v1/import/status/{jobId}", "self:read", 0}, mq_api_import_status},
    {{MQ_GET, "/api/v1/import/{jobId}/unmatched", "self:read", 0}, mq_api_import_unmatched},
    {{MQ_GET, "/api/v1/import/{jobId}/rows", "self:read", 0}, mq_api_import_rows},
    {{MQ_POST, "/api/v1/import/{jobId}/unmatched/{row}/resolve", "self:write", 0},
     mq_api_import_resolve},
    {{MQ_GET, "/api/v1/sessions", "self:read", 0}, mq_api_sessions_list},
    {{MQ_DELETE, "/api/v1/sessions", "self:write", OWN}, mq_api_sessions_delete_others},
    {{MQ_DELETE, "/api/v1/sessions/{id}", "self:write", OWN}, mq_api_sessions_delete},
    {{MQ_GET, "/api/v1/sessions/trusted-devices", "self:read", 0}, mq_api_trusted_devices_list},
    {{MQ_DELETE, "/api/v1/sessions/trusted-devices/{id}", "self:write", OWN},
     mq_api_trusted_devices_delete},
    {{MQ_GET, "/api/v1/jobs/{id}", "self:read", 0}, mq_api_jobs_get_own},
    {{MQ_GET, "/api/v1/mfa/status", "self:read", 0}, mq_api_mfa_status},
    {{MQ_POST, "/api/v1/mfa/totp/setup", "self:write", OWN}, mq_api_mfa_totp_setup},
    {{MQ_POST, "/api/v1/mfa/totp/verify", "self:write", OWN}, mq_api_mfa_totp_verify},
    {{MQ_DELETE, "/api/v1/mfa/totp", "self:write", OWN}, mq_api_mfa_totp_delete},
    {{MQ_POST, "/api/v1/mfa/backup-codes/generate", "self:write", OWN}, mq_api_mfa_backup_generate},
    {{MQ_POST, "/api/v1/mfa/backup-codes/regenerate", "self:write", OWN},
     mq_api_mfa_backup_regenerate},
    {{MQ_POST, "/api/v1/mfa/enable", "self:write", OWN}, mq_api_mfa_enable},
    {{MQ_POST, "/api/v1/mfa/disable", "self:write", OWN}, mq_api_mfa_disable},
    {{MQ_POST, "/api/v1/mfa/webauthn/register/begin", "self:write", OWN},
     mq_api_webauthn_register_begin},
    {{MQ_POST, "/api/v1/mfa/webauthn/register/finish", "self:write", OWN},
     mq_api_webauthn_register_finish},
    {{MQ_GET, "/api/v1/mfa/webauthn/credentials", "self:read", 0},
     mq_api_webauthn_credentials_list},
    {{MQ_PATCH, "/api/v1/mfa/webauthn/credentials/{id}", "self:write", OWN},
     mq_api_webauthn_credential_rename},
    {{MQ_DELETE, "/api/v1/mfa/webauthn/credentials/{id}", "self:write", OWN},
     mq_api_webauthn_credential_delete},

    {{MQ_GET, "/api/v1/libraries", "libraries:read", 0}, mq_api_libraries_list},
    {{MQ_GET, "/api/v1/libraries/{id}", "libraries:read", 0}, mq_api_libraries_get},
    {{MQ_GET, "/api/v1/libraries/{id}/stats", "libraries:read", 0}, mq_api_libraries_stats},
    {{MQ_GET, "/api/v1/media", "media:read", 0}, mq_api_media_list},
    {{MQ_GET, "/api/v1/media/recently-added", "media:read", 0}, mq_api_media_recent},
    {{MQ_GET, "/api/v1/media/top-rated", "media:read", 0}, mq_api_media_top_rated},
    {{MQ_GET, "/api/v1/media/{id}", "media:read", 0}, mq_api_media_get},
    {{MQ_GET, "/api/v1/media/{id}/files", "media:read", 0}, mq_api_media_files},
    {{MQ_GET, "/api/v1/media/{id}/genres", "media:read", 0}, mq_api_media_genres},
    {{MQ_GET, "/api/v1/media/{id}/cast", "media:read", 0}, mq_api_media_cast},
    {{MQ_GET, "/api/v1/media/{id}/crew", "media:read", 0}, mq_api_media_crew},
    {{MQ_GET, "/api/v1/media/{id}/similar", "media:read", 0}, mq_api_media_similar},
    /* A member's own position and plays: players on API keys report too. */
    {{MQ_GET, "/api/v1/media/{id}/progress", "self:read", 0}, mq_api_progress_get},
    {{MQ_PUT, "/api/v1/media/{id}/progress", "self:write", 0}, mq_api_progress_put},
    {{MQ_POST, "/api/v1/media/{id}/progress", "self:write", 0}, mq_api_progress_put},
    {{MQ_DELETE, "/api/v1/media/{id}/progress", "self:write", 0}, mq_api_progress_delete},
    {{MQ_POST, "/api/v1/media/{id}/watched", "self:write", 0}, mq_api_watched_mark},
    {{MQ_GET, "/api/v1/media/{id}/relations", "media:read", 0}, mq_api_media_relations},
    {{MQ_DELETE, "/api/v1/media/{id}/watched", "self:write", 0}, mq_api_watched_unmark},
    {{MQ_GET, "/api/v1/collections/{id}", "media:read", 0}, mq_api_collections_get},
    {{MQ_GET, "/api/v1/collections/{id}/items", "media:read", 0}, mq_api_collections_items},
    {{MQ_GET, "/api/v1/media/{id}/images/{kind}", "media:read", QUERY_KEY}, mq_api_media_image},
    {{MQ_GET, "/api/v1/people/{id}/photo", "media:read", QUERY_KEY}, mq_api_people_photo},
    {{MQ_GET, "/api/v1/people/{id}", "media:read", 0}, mq_api_people_get},
    {{MQ_GET, "/api/v1/search", "media:read", 0}, mq_api_search},
    {{MQ_GET, "/api/v1/search/autocomplete", "media:read", 0}, mq_api_search_autocomplete},
    {{MQ_GET, "/api/v1/search/facets", "media:read", 0}, mq_api_search_facets},
    {{MQ_GET, "/api/v1/series/{id}/seasons", "media:read", 0}, mq_api_series_seasons},
    {{MQ_GET, "/api/v1/seasons/{id}/episodes", "media:read", 0}, mq_api_season_episodes},
    {{MQ_GET, "/api/v1/genres", "media:read", 0}, mq_api_genres},
    {{MQ_GET, "/api/v1/files/{id}/stream", "media:read", QUERY_KEY}, mq_api_files_stream},
    {{MQ_GET, "/api/v1/files/{id}/subtitles/{track}", "media:read", QUERY_KEY},
     mq_api_files_subtitles},

    {{MQ_GET, "/api/v1/admin/jobs", "jobs:read", 0}, mq_api_admin_jobs_list},
    {{MQ_GET, "/api/v1/admin/jobs/{id}", "jobs:read", 0}, mq_api_admin_jobs_get},
    {{MQ_POST, "/api/v1/admin/jobs/{id}/retry", "jobs:manage", 0}, mq_api_admin_jobs_retry},
    {{MQ_POST, "/api/v1/admin/jobs/{id}/cancel", "jobs:manage", 0}, mq_api_admin_jobs_cancel},
    {{MQ_GET, "/api/v1/admin/audit-logs", "audit:read", 0}, mq_api_admin_audit_list},
    {{MQ_GET, "/api/v1/admin/audit-logs/export", "audit:read", 0}, mq_api_admin_audit_export},
    {{MQ_GET, "/api/v1/admin/invites", "users:invite", 0}, mq_api_admin_invites_list},
    {{MQ_POST, "/api/v1/admin/invites", "users:invite", 0}, mq_api_admin_invites_create},
    {{MQ_DELETE, "/api/v1/admin/invites/{id}", "users:invite", 0}, mq_api_admin_invites_delete},
    {{MQ_GET, "/api/v1/admin/settings", "settings:read", 0}, mq_api_admin_settings_get},
    {{MQ_PATCH, "/api/v1/admin/settings", "settings:update", 0}, mq_api_admin_settings_update},
    {{MQ_GET, "/api/v1/admin/mfa-policy", "settings:read", 0}, mq_api_admin_mfa_policy_get},
    {{MQ_GET, "/api/v1/admin/notification-channels", "settings:read", 0}, mq_api_server_channels},
    {{MQ_POST, "/api/v1/admin/notification-channels", "settings:update", 0},
     mq_api_server_channel_create},
    {{MQ_PATCH, "/api/v1/admin/notification-channels/{id}", "settings:update", 0},
     mq_api_server_channel_update},
    {{MQ_DELETE, "/api/v1/admin/notification-channels/{id}", "settings:update", 0},
     mq_api_server_channel_delete},
    {{MQ_POST, "/api/v1/admin/notification-channels/{id}/test", "settings:update", 0},
     mq_api_server_channel_test},
    {{MQ_GET, "/api/v1/admin/notification-deliveries", "settings:read", 0},
     mq_api_server_deliveries},
    {{MQ_PUT, "/api/v1/admin/mfa-policy", "settings:update", 0}, mq_api_admin_mfa_policy_put},
    {{MQ_POST, "/api/v1/admin/rotate-keys", "keys:rotate", 0}, mq_api_admin_rotate_keys},
    {{MQ_GET, "/api/v1/admin/permissions", "roles:read", 0}, mq_api_admin_permissions},
    {{MQ_GET, "/api/v1/admin/users", "users:read", 0}, mq_api_admin_users_list},
    {{MQ_GET, "/api/v1/admin/users/{id}", "users:read", 0}, mq_api_admin_users_get},
    {{MQ_PATCH, "/api/v1/admin/users/{id}", "users:update", 0}, mq_api_admin_users_update},
    {{MQ_DELETE, "/api/v1/admin/users/{id}", "users:delete", 0}, mq_api_admin_users_delete},
    {{MQ_POST, "/api/v1/admin/users/{id}/disable", "users:update", 0}, mq_api_admin_users_disable},
    {{MQ_DELETE, "/api/v1/admin/users/{id}/mfa", "users:update", 0}, mq_api_admin_users_mfa_reset},
    {{MQ_POST, "/api/v1/admin/users/{id}/enable", "users:update", 0}, mq_api_admin_users_enable},
    {{MQ_POST, "/api/v1/admin/users/{id}/impersonate", "users:impersonate", OWN},
     mq_api_admin_users_impersonate},
    {{MQ_GET, "/api/v1/admin/roles", "roles:read", 0}, mq_api_admin_roles_list},
    {{MQ_POST, "/api/v1/admin/roles", "roles:manage", 0}, mq_api_admin_roles_create},
    {{MQ_PATCH, "/api/v1/admin/roles/{name}", "roles:manage", 0}, mq_api_admin_roles_update},
    {{MQ_DELETE, "/api/v1/admin/roles/{name}", "roles:manage", 0}, mq_api_admin_roles_delete},
    {{MQ_GET, "/api/v1/admin/roles/{name}/users", "roles:read", 0}, mq_api_admin_roles_users},
    {{MQ_POST, "/api/v1/admin/users/{id}/roles", "users:update", 0}, mq_api_admin_user_role_add},
    {{MQ_DELETE, "/api/v1/admin/users/{id}/roles/{role}", "users:update", 0},
     mq_api_admin_user_role_remove},
    {{MQ_PATCH, "/api/v1/admin/users/{id}/parental-controls", "users:update", 0},
     mq_api_admin_parental_update},
    {{MQ_GET, "/api/v1/admin/aliases", "content:moderate", 0}, mq_api_admin_aliases},
    {{MQ_DELETE, "/api/v1/admin/aliases/{key}", "content:moderate", 0}, mq_api_admin_alias_delete},
    {{MQ_POST, "/api/v1/admin/catalog/content", "content:moderate", 0}, mq_api_content_create},
    {{MQ_GET, "/api/v1/admin/catalog/content/{id}", "content:moderate", 0}, mq_api_content_get},
    {{MQ_PATCH, "/api/v1/admin/catalog/content/{id}", "content:moderate", 0},
     mq_api_content_update},
    {{MQ_DELETE, "/api/v1/admin/catalog/content/{id}", "content:moderate", 0},
     mq_api_content_delete},
    {{MQ_POST, "/api/v1/admin/catalog/content/{id}/restore", "content:moderate", 0},
     mq_api_content_restore},
    {{MQ_GET, "/api/v1/admin/relations", "content:moderate", 0}, mq_api_admin_relations},
    {{MQ_POST, "/api/v1/admin/relations", "content:moderate", 0}, mq_api_admin_relation_put},
    {{MQ_DELETE, "/api/v1/admin/relations", "content:moderate", 0}, mq_api_admin_relation_delete},
    {{MQ_POST, "/api/v1/admin/monitor/run", "jobs:manage", 0}, mq_api_admin_monitor_run},
    {{MQ_GET, "/api/v1/admin/monitor/runs", "jobs:read", 0}, mq_api_admin_monitor_runs},
    {{MQ_POST, "/api/v1/admin/catalog/content/{id}/availability", "content:moderate", 0},
     mq_api_content_availability},
    {{MQ_GET, "/api/v1/admin/content/quality-report", "content:moderate", 0},
     mq_api_content_quality_report},
    {{MQ_POST, "/api/v1/admin/libraries", "libraries:manage", 0}, mq_api_admin_libraries_create},
    {{MQ_GET, "/api/v1/admin/filesystem", "libraries:manage", 0}, mq_api_admin_filesystem},
    {{MQ_GET, "/api/v1/admin/media/unidentified", "libraries:manage", 0},
     mq_api_admin_unidentified},
    {{MQ_GET, "/api/v1/media/{id}/identification", "libraries:manage", 0},
     mq_api_media_identification},
    {{MQ_POST, "/api/v1/media/{id}/identify", "libraries:manage", 0}, mq_api_media_identify},
    {{MQ_POST, "/api/v1/media/{id}/refresh", "libraries:manage", 0}, mq_api_media_refresh},
    {{MQ_GET, "/api/v1/metadata/search", "libraries:manage", 0}, mq_api_metadata_search},
    {{MQ_GET, "/api/v1/metadata/image", "libraries:manage", QUERY_KEY}, mq_api_metadata_image},
    {{MQ_GET, "/api/v1/admin/metadata", "settings:read", 0}, mq_api_admin_metadata},
    {{MQ_GET, "/api/v1/admin/search", "libraries:manage", 0}, mq_api_admin_search},
    {{MQ_POST, "/api/v1/admin/search/reindex", "libraries:manage", 0}, mq_api_admin_search_reindex},
    {{MQ_GET, "/api/v1/admin/search/stats", "libraries:manage", 0}, mq_api_admin_search_stats},
    {{MQ_POST, "/api/v1/admin/metadata/test", "settings:update", 0}, mq_api_admin_metadata_test},
    {{MQ_PATCH, "/api/v1/admin/libraries/{id}", "libraries:manage", 0},
     mq_api_admin_libraries_update},
    {{MQ_DELETE, "/api/v1/admin/libraries/{id}", "libraries:manage", 0},
     mq_api_admin_libraries_delete},
    {{MQ_POST, "/api/v1/admin/libraries/{id}/paths", "libraries:manage", 0},
     mq_api_admin_libraries_path_add},
    {{MQ_DELETE, "/api/v1/admin/libraries/{id}/paths/{pathId}", "libraries:manage", 0},
     mq_api_admin_libraries_path_remove},
    {{MQ_GET, "/api/v1/admin/libraries/{id}/access", "libraries:manage", 0},
     mq_api_admin_libraries_access_list},
    {{MQ_POST, "/api/v1/admin/libraries/{id}/access", "libraries:manage", 0},
     mq_api_admin_libraries_access_grant},
    {{MQ_DELETE, "/api/v1/admin/libraries/{id}/access/{userId}", "libraries:manage", 0},
     mq_api_admin_libraries_access_revoke_user},
    {{MQ_DELETE, "/api/v1/admin/libraries/{id}/access/roles/{role}", "libraries:manage", 0},
     mq_api_admin_libraries_access_revoke_role},
    {{MQ_POST, "/api/v1/admin/libraries/{id}/scan", "libraries:manage", 0},
     mq_api_admin_libraries_scan},
    {{MQ_GET, "/api/v1/admin/libraries/{id}/scan", "libraries:manage", 0},
     mq_api_admin_libraries_scan_status},
};

const struct mq_api_route *mq_api_route(size_t i)
{
    return i < sizeof(routes) / sizeof(routes[0]) ? &routes[i].r : NULL;
}

unsigned mq_api_route_flags(const struct mq_api_route *route)
{
    /* The admin API is a prefix, so no admin route can miss the flag. */
    bool admin = !strncmp(route->pattern, "/api/v1/admin/", 14);
    return route->flags | (admin ? MQ_ROUTE_ADMIN : 0);
}

mq_err mq_api_register(struct mq_router *r, const struct mq_config *cfg)
{
    for (size_t i = 0; i < sizeof(routes) / sizeof(routes[0]); i++) {
        const struct mq_api_route *a = &routes[i].r;
        /* An export as a form carries its field's headers too. */
        long max_body = a->flags & MQ_ROUTE_UPLOAD   ? mq_users_conf(cfg)->avatar_max_size
                        : a->flags & MQ_ROUTE_IMPORT ? mq_track_conf(cfg)->import_max_size + 16384
                                                     : 0;
        struct mq_route_opts opts = {
            .max_body = max_body, .permission = a->permission, .flags = mq_api_route_flags(a)};
        mq_err err = mq_router_add_route(r, a->method, a->pattern, routes[i].handler, &opts);
        if (err) return err;
    }
    return MQ_OK;
}
