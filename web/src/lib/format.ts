// Dates, numbers and sizes through Intl, in the member's language and zone.
export interface Locale {
  language?: string;
  timeZone?: string;
}

let locale: Locale = {};

export function setLocale(l: Locale): void {
  locale = l;
}

function tag(): string | undefined {
  return locale.language || undefined;
}

export function formatDate(iso: string | null | undefined, l: Locale = locale): string {
  if (!iso) return "";
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return "";
  return new Intl.DateTimeFormat(l.language || tag(), {
    dateStyle: "medium",
    timeStyle: "short",
    timeZone: l.timeZone || locale.timeZone || undefined,
  }).format(d);
}

export function formatNumber(n: number, l: Locale = locale): string {
  return new Intl.NumberFormat(l.language || tag()).format(n);
}

const UNITS = ["byte", "kilobyte", "megabyte", "gigabyte", "terabyte"] as const;

export function formatBytes(n: number, l: Locale = locale): string {
  let i = 0;
  let v = n;
  while (v >= 1000 && i < UNITS.length - 1) {
    v /= 1000;
    i++;
  }
  return new Intl.NumberFormat(l.language || tag(), {
    style: "unit",
    unit: UNITS[i],
    unitDisplay: "short",
    maximumFractionDigits: i === 0 ? 0 : 1,
  }).format(v);
}

/** 0:42, 1:02:03 */
export function formatClock(seconds: number): string {
  const s = Math.max(0, Math.floor(seconds));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const r = String(s % 60).padStart(2, "0");
  return h ? `${h}:${String(m).padStart(2, "0")}:${r}` : `${m}:${r}`;
}

export function relativeTime(iso: string | null | undefined, now: number = Date.now(), l: Locale = locale): string {
  if (!iso) return "";
  const diff = (new Date(iso).getTime() - now) / 1000;
  const rtf = new Intl.RelativeTimeFormat(l.language || tag(), { numeric: "auto" });
  const abs = Math.abs(diff);
  if (abs < 60) return rtf.format(Math.round(diff), "second");
  if (abs < 3600) return rtf.format(Math.round(diff / 60), "minute");
  if (abs < 86400) return rtf.format(Math.round(diff / 3600), "hour");
  return rtf.format(Math.round(diff / 86400), "day");
}

/** A calendar date (YYYY-MM-DD) as itself: no zone moves it to another day. */
export function formatDay(day: string, l: Locale = locale): string {
  const d = new Date(day + "T00:00:00Z");
  if (!/^\d{4}-\d{2}-\d{2}$/.test(day) || Number.isNaN(d.getTime())) return day;
  return new Intl.DateTimeFormat(l.language || tag(), { dateStyle: "medium", timeZone: "UTC" }).format(d);
}
