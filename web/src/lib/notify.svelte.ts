// Notifications, channels, follows and what is announced (src/notify/ and
// src/track/ on the server), and the unread count the header's bell shows.
import { api, type Page } from "./api";

export interface Notice {
  id: string;
  event: string;
  title: string;
  body: string;
  read: boolean;
  link: string | null;
  external_url: string | null;
  image_url: string | null;
  media_id: string | null;
  created_at: string;
  read_at: string | null;
}

export type Mode = "off" | "instant" | "daily" | "weekly";
export const MODES: Mode[] = ["off", "instant", "daily", "weekly"];

export interface Prefs {
  events: Record<string, Record<string, Mode>>;
  quiet_hours: { start: string; end: string } | null;
  platforms: string[] | null;
  region: string | null;
  whole_season: boolean;
  whole_season_series: string[];
  time_zone?: string | null;
}

/** The document PUT takes: what GET gave, without what it only reports. */
export function prefsDoc(p: Prefs): Omit<Prefs, "time_zone"> {
  return {
    events: p.events,
    quiet_hours: p.quiet_hours,
    platforms: p.platforms,
    region: p.region,
    whole_season: p.whole_season,
    whole_season_series: p.whole_season_series,
  };
}

export type ChannelKind = "email" | "webhook" | "discord" | "ntfy" | "gotify" | "telegram";
export const KINDS: ChannelKind[] = ["email", "webhook", "discord", "ntfy", "gotify", "telegram"];

/** The fields each kind's config takes, in the order the form asks them. */
export const CONFIG_FIELDS: Record<ChannelKind, { key: string; secret?: boolean; optional?: boolean }[]> = {
  email: [],
  webhook: [{ key: "url" }],
  discord: [{ key: "url" }],
  ntfy: [{ key: "url" }, { key: "token", secret: true, optional: true }],
  gotify: [{ key: "url" }, { key: "token", secret: true }],
  telegram: [{ key: "bot_token", secret: true }, { key: "chat_id" }],
};

export interface Channel {
  id: string;
  kind: ChannelKind;
  name: string;
  target: string;
  enabled: boolean;
  paused: boolean;
  failures: number;
  priority: number | null;
  events?: string[] | null;
  pause_reason: string | null;
  paused_at: string | null;
  last_success_at: string | null;
  last_failure_at: string | null;
  created_at: string;
  secret?: string;
}

export interface Delivery {
  id: string;
  delivery_id: string;
  channel_id: string | null;
  channel_kind: string;
  channel_name: string;
  event: string;
  summary: string;
  outcome: string;
  notifications: number;
  attempt: number;
  duration_ms: number;
  status: number | null;
  error: string | null;
  test: boolean;
  created_at: string;
}

export interface Upcoming {
  id: string;
  type: string;
  title: string;
  date: string;
  series: string | null;
  season: number | null;
  episode: number | null;
  /** Where it will be, as the catalogue names the platforms: "Netflix, Max". */
  platforms: string | null;
  url: string | null;
}

export type FollowKind = "series" | "collection" | "person" | "book_series";

export interface Follow {
  kind: FollowKind;
  id: string;
  name: string | null;
}

export interface Relation {
  kind: string;
  source: "provider" | "derived" | "admin";
  confidence: number;
  from_id: string;
  to_id: string;
  follows?: boolean;
  item?: { id: string; title: string; type: string; year: number | null };
  from_title?: string;
  to_title?: string | null;
}

export const RELATION_KINDS = [
  "sequel_of",
  "prequel_of",
  "part_of",
  "next_in_series",
  "season_of",
  "episode_of",
  "spin_off",
  "remake_of",
] as const;

/** The bell's count, polled while the page is visible (the real-time
 * work will push it instead). */
export const unread = $state({ count: 0 });

export async function refreshUnread(): Promise<void> {
  try {
    unread.count = (await api.get<{ unread: number }>("/api/v1/users/me/notifications/unread-count")).unread;
  } catch {
    /* signed out or offline: the bell keeps what it showed */
  }
}

let follows: Promise<Follow[]> | null = null;

/** The member's follows, asked once per page load and kept current here. */
export function myFollows(): Promise<Follow[]> {
  if (!follows) follows = api.get<Page<Follow>>("/api/v1/users/me/follows").then((p) => p.items);
  return follows;
}

export async function setFollow(kind: FollowKind, id: string, on: boolean, name: string | null): Promise<void> {
  const path = `/api/v1/users/me/follows/${kind}/${encodeURIComponent(id)}`;
  if (on) await api.put(path, {});
  else await api.del(path);
  const list = (await myFollows()).filter((f) => !(f.kind === kind && f.id === id));
  if (on) list.push({ kind, id, name });
  follows = Promise.resolve(list);
}
