/* handlers.h - handler entry points, private to src/api/. */
#ifndef MQ_API_HANDLERS_H
#define MQ_API_HANDLERS_H

#include "http/http.h"

mq_err mq_api_healthz(struct mq_req *req);
mq_err mq_api_readyz(struct mq_req *req);
mq_err mq_api_startupz(struct mq_req *req);
mq_err mq_api_metrics(struct mq_req *req);
mq_err mq_api_openapi(struct mq_req *req);
mq_err mq_api_system_info(struct mq_req *req);
mq_err mq_api_csp_report(struct mq_req *req);
mq_err mq_api_admin_jobs_list(struct mq_req *req);
mq_err mq_api_admin_jobs_get(struct mq_req *req);
mq_err mq_api_admin_jobs_retry(struct mq_req *req);
mq_err mq_api_admin_jobs_cancel(struct mq_req *req);
mq_err mq_api_jobs_get_own(struct mq_req *req);
mq_err mq_api_admin_audit_list(struct mq_req *req);
mq_err mq_api_admin_audit_export(struct mq_req *req);
mq_err mq_api_setup(struct mq_req *req);
mq_err mq_api_jwks(struct mq_req *req);
mq_err mq_api_auth_login(struct mq_req *req);
mq_err mq_api_auth_refresh(struct mq_req *req);
mq_err mq_api_auth_logout(struct mq_req *req);
mq_err mq_api_users_me(struct mq_req *req);
mq_err mq_api_users_me_activity(struct mq_req *req);
mq_err mq_api_users_me_update(struct mq_req *req);
mq_err mq_api_users_me_delete(struct mq_req *req);
mq_err mq_api_users_me_change_password(struct mq_req *req);
mq_err mq_api_users_me_preferences(struct mq_req *req);
mq_err mq_api_users_me_preferences_update(struct mq_req *req);
mq_err mq_api_users_me_avatar_set(struct mq_req *req);
mq_err mq_api_users_me_avatar_delete(struct mq_req *req);
mq_err mq_api_users_avatar(struct mq_req *req);
mq_err mq_api_auth_register(struct mq_req *req);
mq_err mq_api_auth_verify_email(struct mq_req *req);
mq_err mq_api_auth_resend_verification(struct mq_req *req);
mq_err mq_api_auth_forgot_password(struct mq_req *req);
mq_err mq_api_auth_reset_password(struct mq_req *req);
mq_err mq_api_sessions_list(struct mq_req *req);
mq_err mq_api_sessions_delete(struct mq_req *req);
mq_err mq_api_sessions_delete_others(struct mq_req *req);
mq_err mq_api_mfa_status(struct mq_req *req);
mq_err mq_api_mfa_totp_setup(struct mq_req *req);
mq_err mq_api_mfa_totp_verify(struct mq_req *req);
mq_err mq_api_mfa_totp_delete(struct mq_req *req);
mq_err mq_api_mfa_backup_generate(struct mq_req *req);
mq_err mq_api_mfa_backup_regenerate(struct mq_req *req);
mq_err mq_api_mfa_enable(struct mq_req *req);
mq_err mq_api_mfa_disable(struct mq_req *req);
mq_err mq_api_trusted_devices_list(struct mq_req *req);
mq_err mq_api_trusted_devices_delete(struct mq_req *req);
mq_err mq_api_auth_mfa_verify(struct mq_req *req);
mq_err mq_api_auth_reauthenticate(struct mq_req *req);
mq_err mq_api_settings_public(struct mq_req *req);
mq_err mq_api_admin_invites_create(struct mq_req *req);
mq_err mq_api_admin_invites_list(struct mq_req *req);
mq_err mq_api_admin_invites_delete(struct mq_req *req);
mq_err mq_api_admin_settings_get(struct mq_req *req);
mq_err mq_api_admin_settings_update(struct mq_req *req);
mq_err mq_api_admin_mfa_policy_get(struct mq_req *req);
mq_err mq_api_admin_mfa_policy_put(struct mq_req *req);
mq_err mq_api_admin_rotate_keys(struct mq_req *req);
mq_err mq_api_users_me_roles(struct mq_req *req);
mq_err mq_api_admin_permissions(struct mq_req *req);
mq_err mq_api_webauthn_register_begin(struct mq_req *req);
mq_err mq_api_webauthn_register_finish(struct mq_req *req);
mq_err mq_api_webauthn_credentials_list(struct mq_req *req);
mq_err mq_api_webauthn_credential_rename(struct mq_req *req);
mq_err mq_api_webauthn_credential_delete(struct mq_req *req);
mq_err mq_api_webauthn_login_begin(struct mq_req *req);
mq_err mq_api_webauthn_login_finish(struct mq_req *req);
mq_err mq_api_auth_passkey_begin(struct mq_req *req);
mq_err mq_api_auth_passkey_finish(struct mq_req *req);
mq_err mq_api_admin_roles_list(struct mq_req *req);
mq_err mq_api_admin_roles_create(struct mq_req *req);
mq_err mq_api_admin_roles_update(struct mq_req *req);
mq_err mq_api_admin_roles_delete(struct mq_req *req);
mq_err mq_api_admin_roles_users(struct mq_req *req);
mq_err mq_api_admin_user_role_add(struct mq_req *req);
mq_err mq_api_admin_user_role_remove(struct mq_req *req);
mq_err mq_api_apikeys_list(struct mq_req *req);
mq_err mq_api_apikeys_create(struct mq_req *req);
mq_err mq_api_apikeys_update(struct mq_req *req);
mq_err mq_api_apikeys_delete(struct mq_req *req);
mq_err mq_api_admin_users_list(struct mq_req *req);
mq_err mq_api_admin_users_get(struct mq_req *req);
mq_err mq_api_admin_users_update(struct mq_req *req);
mq_err mq_api_admin_users_delete(struct mq_req *req);
mq_err mq_api_admin_users_disable(struct mq_req *req);
mq_err mq_api_admin_users_enable(struct mq_req *req);
mq_err mq_api_admin_users_impersonate(struct mq_req *req);
mq_err mq_api_admin_users_mfa_reset(struct mq_req *req);

mq_err mq_api_libraries_list(struct mq_req *req);
mq_err mq_api_libraries_get(struct mq_req *req);
mq_err mq_api_admin_libraries_create(struct mq_req *req);
mq_err mq_api_admin_filesystem(struct mq_req *req);
mq_err mq_api_admin_libraries_update(struct mq_req *req);
mq_err mq_api_admin_libraries_delete(struct mq_req *req);
mq_err mq_api_admin_libraries_path_add(struct mq_req *req);
mq_err mq_api_admin_libraries_path_remove(struct mq_req *req);
mq_err mq_api_admin_libraries_access_list(struct mq_req *req);
mq_err mq_api_admin_libraries_access_grant(struct mq_req *req);
mq_err mq_api_admin_libraries_access_revoke_user(struct mq_req *req);
mq_err mq_api_admin_libraries_access_revoke_role(struct mq_req *req);
mq_err mq_api_admin_libraries_scan(struct mq_req *req);
mq_err mq_api_admin_libraries_scan_status(struct mq_req *req);
mq_err mq_api_libraries_stats(struct mq_req *req);
mq_err mq_api_media_list(struct mq_req *req);
mq_err mq_api_media_recent(struct mq_req *req);
mq_err mq_api_media_top_rated(struct mq_req *req);
mq_err mq_api_media_get(struct mq_req *req);
mq_err mq_api_media_files(struct mq_req *req);
mq_err mq_api_media_genres(struct mq_req *req);
mq_err mq_api_media_image(struct mq_req *req);
mq_err mq_api_people_photo(struct mq_req *req);
mq_err mq_api_people_get(struct mq_req *req);
mq_err mq_api_search(struct mq_req *req);
mq_err mq_api_search_autocomplete(struct mq_req *req);
mq_err mq_api_search_facets(struct mq_req *req);
mq_err mq_api_admin_search(struct mq_req *req);
mq_err mq_api_admin_search_reindex(struct mq_req *req);
mq_err mq_api_admin_search_stats(struct mq_req *req);
struct mq_image;
mq_err mq_api_reply_image(struct mq_req *req, const struct mq_image *img, const char *want);

/* metadata.c */
mq_err mq_api_admin_unidentified(struct mq_req *req);
mq_err mq_api_media_identification(struct mq_req *req);
mq_err mq_api_media_identify(struct mq_req *req);
mq_err mq_api_media_refresh(struct mq_req *req);
mq_err mq_api_metadata_search(struct mq_req *req);
mq_err mq_api_admin_metadata(struct mq_req *req);
mq_err mq_api_admin_metadata_test(struct mq_req *req);
mq_err mq_api_metadata_image(struct mq_req *req);
mq_err mq_api_media_cast(struct mq_req *req);
mq_err mq_api_media_crew(struct mq_req *req);
mq_err mq_api_media_similar(struct mq_req *req);
mq_err mq_api_collections_get(struct mq_req *req);
mq_err mq_api_collections_items(struct mq_req *req);
mq_err mq_api_series_seasons(struct mq_req *req);
mq_err mq_api_season_episodes(struct mq_req *req);
mq_err mq_api_genres(struct mq_req *req);
mq_err mq_api_files_stream(struct mq_req *req);
mq_err mq_api_files_subtitles(struct mq_req *req);
mq_err mq_api_parental_get(struct mq_req *req);
mq_err mq_api_content_create(struct mq_req *req);
mq_err mq_api_content_get(struct mq_req *req);
mq_err mq_api_content_update(struct mq_req *req);
mq_err mq_api_content_delete(struct mq_req *req);
mq_err mq_api_content_restore(struct mq_req *req);
mq_err mq_api_content_availability(struct mq_req *req);
mq_err mq_api_content_quality_report(struct mq_req *req);

/* A work as the API shows it (api/media.c): a new reference. */
struct mq_item_row;
json_t *mq_api_item_json(const struct mq_item_row *r);
mq_err mq_api_parental_update(struct mq_req *req);
mq_err mq_api_admin_parental_update(struct mq_req *req);
mq_err mq_api_parental_verify_pin(struct mq_req *req);

/* track.c */
mq_err mq_api_progress_put(struct mq_req *req);
mq_err mq_api_progress_get(struct mq_req *req);
mq_err mq_api_progress_delete(struct mq_req *req);
mq_err mq_api_watched_mark(struct mq_req *req);
mq_err mq_api_watched_unmark(struct mq_req *req);
mq_err mq_api_continue_watching(struct mq_req *req);
mq_err mq_api_next_up(struct mq_req *req);
mq_err mq_api_history(struct mq_req *req);
mq_err mq_api_history_delete(struct mq_req *req);
mq_err mq_api_stats(struct mq_req *req);
mq_err mq_api_library(struct mq_req *req);
mq_err mq_api_library_put(struct mq_req *req);
mq_err mq_api_library_get(struct mq_req *req);
mq_err mq_api_library_delete(struct mq_req *req);
mq_err mq_api_export(struct mq_req *req);

/* imports.c */
mq_err mq_api_import_csv(struct mq_req *req);
mq_err mq_api_import_status(struct mq_req *req);
mq_err mq_api_import_history(struct mq_req *req);
mq_err mq_api_import_unmatched(struct mq_req *req);
mq_err mq_api_import_rows(struct mq_req *req);
mq_err mq_api_import_resolve(struct mq_req *req);
mq_err mq_api_import_manual(struct mq_req *req);
mq_err mq_api_admin_aliases(struct mq_req *req);
mq_err mq_api_admin_alias_delete(struct mq_req *req);

/* scrobble.c */
mq_err mq_api_scrobble_tokens(struct mq_req *req);
mq_err mq_api_scrobble_token_create(struct mq_req *req);
mq_err mq_api_scrobble_token_delete(struct mq_req *req);
mq_err mq_api_scrobble(struct mq_req *req);

/* monitor.c */
mq_err mq_api_media_relations(struct mq_req *req);
mq_err mq_api_admin_relations(struct mq_req *req);
mq_err mq_api_admin_relation_put(struct mq_req *req);
mq_err mq_api_admin_relation_delete(struct mq_req *req);
mq_err mq_api_follows(struct mq_req *req);
mq_err mq_api_follow_put(struct mq_req *req);
mq_err mq_api_follow_delete(struct mq_req *req);
mq_err mq_api_admin_monitor_run(struct mq_req *req);
mq_err mq_api_admin_monitor_runs(struct mq_req *req);

/* upcoming.c */
mq_err mq_api_upcoming(struct mq_req *req);
mq_err mq_api_calendar_feed(struct mq_req *req);
mq_err mq_api_calendar_token_get(struct mq_req *req);
mq_err mq_api_calendar_token_rotate(struct mq_req *req);
mq_err mq_api_calendar_token_delete(struct mq_req *req);

/* notify.c */
mq_err mq_api_notifications(struct mq_req *req);
mq_err mq_api_notifications_unread(struct mq_req *req);
mq_err mq_api_notification_read(struct mq_req *req);
mq_err mq_api_notifications_read_all(struct mq_req *req);
mq_err mq_api_notification_delete(struct mq_req *req);
mq_err mq_api_notify_prefs_get(struct mq_req *req);
mq_err mq_api_notify_prefs_put(struct mq_req *req);
mq_err mq_api_notify_channels(struct mq_req *req);
mq_err mq_api_notify_channel_create(struct mq_req *req);
mq_err mq_api_notify_channel_update(struct mq_req *req);
mq_err mq_api_notify_channel_delete(struct mq_req *req);
mq_err mq_api_notify_channel_test(struct mq_req *req);
mq_err mq_api_notify_deliveries(struct mq_req *req);
mq_err mq_api_server_channels(struct mq_req *req);
mq_err mq_api_server_channel_create(struct mq_req *req);
mq_err mq_api_server_channel_update(struct mq_req *req);
mq_err mq_api_server_channel_delete(struct mq_req *req);
mq_err mq_api_server_channel_test(struct mq_req *req);
mq_err mq_api_server_deliveries(struct mq_req *req);
mq_err mq_api_unsubscribe_check(struct mq_req *req);
mq_err mq_api_unsubscribe(struct mq_req *req);

#endif
