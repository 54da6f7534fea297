// What the media pages share: the catalogue's shapes, what a library's grid
// lists, and whether this browser can play a file as it is.

export interface Item {
  id: string;
  type: "movie" | "series" | "season" | "episode" | "book" | "audiobook";
  title: string;
  sort_title?: string;
  original_title?: string | null;
  overview?: string | null;
  year?: number | null;
  runtime_min?: number | null;
  content_rating?: { system: string | null; value: string } | null;
  rating?: number | null;
  parent_id?: string | null;
  index?: number | null;
  index_end?: number | null;
  library_id: string;
  added_at?: string;
  genres?: string[];
  images?: Record<string, string>;
  origin?: "scan" | "provider" | "admin";
  sources?: Record<string, string>;
  details?: Details;
  availability?: Availability[];
  collections?: { id: string; name: string; type: string; index: number }[];
}

/** What providers say beyond the fields. */
export interface Details {
  tagline?: string;
  status?: string;
  link?: string;
  votes?: number;
  next_episode?: { season: number; episode: number; air_date?: string; title?: string };
}

export interface Availability {
  platform: string;
  region: string;
  kind: "flatrate" | "free" | "ads" | "rent" | "buy";
  url?: string | null;
}

export interface Candidate {
  provider: string;
  id: string;
  title: string;
  year?: number | null;
  original_title?: string | null;
  overview?: string | null;
  poster?: string | null;
  confidence: number;
}

export interface Identification {
  item_id: string;
  state: "pending" | "matched" | "review" | "unmatched" | "failed";
  type: string;
  title?: string | null;
  year?: number | null;
  provider?: string | null;
  provider_id?: string | null;
  confidence: number;
  method?: string | null;
  reason?: string | null;
  candidates: Candidate[];
  updated_at: string;
}

/** The provider that knows works of this type. */
export function providerFor(type: string): "tmdb" | "openlibrary" {
  return type === "book" || type === "audiobook" ? "openlibrary" : "tmdb";
}

/** A candidate's picture, fetched for the picker by the server. */
export function candidatePicture(c: Candidate, width = 160): string | null {
  if (!c.poster) return null;
  return `/api/v1/metadata/image?provider=${encodeURIComponent(c.provider)}&ref=${encodeURIComponent(c.poster)}&w=${width}`;
}

/** A picture of the item of another kind at a width, when it has one. */
export function imageUrl(item: Item, kind: string, width: number): string | null {
  const known = item.images?.[kind];
  if (!known) return null;
  const w = IMAGE_WIDTHS.find((x) => x >= width) ?? IMAGE_WIDTHS[IMAGE_WIDTHS.length - 1];
  return known + (known.includes("?") ? "&" : "?") + "w=" + w;
}

export interface Stream {
  index: number;
  type: string;
  codec?: string;
  profile?: string;
  language?: string;
  title?: string;
  default?: boolean;
  forced?: boolean;
  width?: number;
  height?: number;
  channels?: number;
  layout?: string;
  hdr?: string;
  vtt_url?: string;
  /** a cover picture stored as a video stream */
  cover?: boolean;
}

export interface MediaFile {
  id: string;
  role: "main" | "extra" | "trailer" | "subtitle" | "image";
  state: string;
  size: number;
  container?: string | null;
  duration_ms?: number | null;
  width?: number | null;
  height?: number | null;
  video_codec?: string | null;
  hdr?: string | null;
  streams?: Stream[];
  chapters?: { start_ms: number; end_ms: number; title?: string }[];
  stream_url: string;
  vtt_url?: string;
  language?: string;
  missing_since?: string | null;
  path?: string;
  detail?: string | null;
}

export interface Library {
  id: string;
  name: string;
  type: "movies" | "tv" | "books" | "audiobooks" | "mixed" | string;
}

export type { Page } from "./api";

/** What a library's grid lists: its top-level items. */
export function gridType(lib: Library): string | undefined {
  switch (lib.type) {
    case "movies":
      return "movie";
    case "tv":
      return "series";
    case "books":
      return "book";
    case "audiobooks":
      return "audiobook";
    default:
      return undefined;
  }
}

/** The widths the server makes pictures at (it refuses others). */
export const IMAGE_WIDTHS = [160, 320, 480, 780, 1280, 1920];

/** The poster at the smallest width of at least `width` CSS pixels. */
export function posterUrl(item: Item, width: number): string {
  const kind = "poster";
  const known = item.images?.[kind];
  const base = known || `/api/v1/media/${encodeURIComponent(item.id)}/images/${kind}`;
  const w = IMAGE_WIDTHS.find((x) => x >= width) ?? IMAGE_WIDTHS[IMAGE_WIDTHS.length - 1];
  return base + (base.includes("?") ? "&" : "?") + "w=" + w;
}

// Containers and codecs a browser plays without help, by what the probe
// calls them. The <video> element's canPlayType has the last word.
const CONTAINER_TYPES: [RegExp, string][] = [
  [/mp4|mov|m4a/, "video/mp4"],
  [/webm|matroska/, "video/webm"],
  [/^mp3$/, "audio/mpeg"],
  [/ogg/, "audio/ogg"],
  [/^flac$/, "audio/flac"],
  [/^wav$/, "audio/wav"],
];

const CODECS: Record<string, string> = {
  h264: "avc1.42E01E",
  hevc: "hvc1.1.6.L93.B0",
  vp8: "vp8",
  vp9: "vp09.00.10.08",
  av1: "av01.0.04M.08",
  aac: "mp4a.40.2",
  mp3: "mp3",
  opus: "opus",
  vorbis: "vorbis",
  flac: "flac",
};

export function mimeFor(file: MediaFile, audioOnly: boolean): string | null {
  const container = file.container || "";
  const found = CONTAINER_TYPES.find(([re]) => re.test(container));
  if (!found) return null;
  let mime = found[1];
  if (audioOnly && mime.startsWith("video/")) mime = mime.replace("video/", "audio/");
  const codecs = (file.streams || [])
    .filter((s) => (s.type === "video" && !s.cover) || s.type === "audio")
    .map((s) => (s.codec ? CODECS[s.codec] : undefined));
  if (codecs.some((c) => !c)) return null;
  const list = [...new Set(codecs)];
  return list.length ? `${mime}; codecs="${list.join(", ")}"` : mime;
}

/** Whether this browser plays the file directly, by asking the element. */
export function playable(file: MediaFile, probe: HTMLMediaElement, audioOnly: boolean): boolean {
  const mime = mimeFor(file, audioOnly);
  return !!mime && probe.canPlayType(mime) !== "";
}

export function isAudio(file: MediaFile): boolean {
  return !(file.streams || []).some((s) => s.type === "video" && !s.cover);
}
