// What a member watched and reads: positions, plays, their own library
// (src/track/ on the server).
import type { Item } from "./media";

export interface Progress {
  item_id: string;
  state: "started" | "in_progress" | "completed" | null;
  position_ms: number;
  duration_ms: number | null;
  progress: number;
  resumable: boolean;
  resume_ms: number;
  plays?: number;
  device: string | null;
  reported_at: string | null;
  applied?: boolean;
}

export interface Watching {
  item: Item & { series_title?: string; season?: number; episode?: number };
  progress: Progress;
}

export interface NextUp {
  series: Item;
  episode: Item & { series_title?: string; season?: number; episode?: number; in_library: boolean };
  last_played_at: string;
}

export type Status = "planned" | "in_progress" | "completed" | "dropped" | "paused";
export const STATUSES: Status[] = ["planned", "in_progress", "completed", "dropped", "paused"];

export interface Entry {
  item: Item;
  status: Status;
  platform: string | null;
  rating: number | null;
  notes: string | null;
  source: string;
  consumed_at: string | null;
  last_activity_at: string;
}

export interface Play {
  id: string;
  item_id: string | null;
  type: string;
  title: string;
  series_title?: string;
  season?: number;
  episode?: number;
  watched_at: string;
  platform: string;
  source: string;
}

export interface ImportRows {
  total: number;
  read: number;
  skipped: number;
  matched: number;
  needs_review: number;
  failed: number;
  duplicates: number;
}

export interface ImportJob {
  id: string;
  format: string;
  filename: string | null;
  state: "queued" | "running" | "done" | "failed";
  progress: number;
  rows: ImportRows;
  error: string | null;
  created_at: string;
}

export interface Candidate {
  item_id: string;
  title: string;
  type: string;
  year?: number;
  confidence: number;
}

export interface ImportRow {
  row: number;
  state: string;
  raw: string;
  title: string | null;
  reason: string | null;
  confidence: number;
  candidates: Candidate[];
}

/** "S1 E3" for an episode that says so. */
export function episodeLabel(i: { season?: number; episode?: number }): string {
  if (i.season === undefined && i.episode === undefined) return "";
  return `S${i.season ?? "?"} E${i.episode ?? "?"}`;
}

/** A platform as the server keeps it: "Apple TV+" is apple_tv_plus, "Disney Plus" disney_plus. */
export function platformId(name: string): string {
  return name
    .trim()
    .toLowerCase()
    .replace(/\+/g, " plus")
    .replace(/[^a-z0-9]+/g, "_")
    .replace(/^_+|_+$/g, "")
    .slice(0, 64);
}
