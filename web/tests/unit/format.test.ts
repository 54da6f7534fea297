import { describe, expect, it } from "vitest";
import { formatBytes, formatClock, formatDate, formatDay, relativeTime } from "../../src/lib/format";
import { t, setLanguage } from "../../src/lib/i18n";
import { match } from "../../src/lib/paths";
import { b64urlToBytes, bytesToB64url } from "../../src/lib/webauthn";
import { mimeFor, posterUrl, type Item, type MediaFile } from "../../src/lib/media";

describe("format", () => {
  it("calendar days stay on their day in any zone", () => {
    expect(formatDay("2026-12-01", { language: "en-US", timeZone: "Pacific/Honolulu" })).toBe("Dec 1, 2026");
    expect(formatDay("not a day")).toBe("not a day");
  });
  it("clocks", () => {
    expect(formatClock(42)).toBe("0:42");
    expect(formatClock(3723)).toBe("1:02:03");
    expect(formatClock(-5)).toBe("0:00");
  });
  it("sizes in the member's language", () => {
    expect(formatBytes(999, { language: "en" })).toBe("999 byte");
    expect(formatBytes(1_500_000, { language: "en" })).toBe("1.5 MB");
    expect(formatBytes(1_500_000, { language: "de" })).toBe("1,5 MB");
  });
  it("dates in the member's time zone", () => {
    const iso = "2026-12-01T23:30:00Z";
    expect(formatDate(iso, { language: "en-GB", timeZone: "UTC" })).toContain("23:30");
    expect(formatDate(iso, { language: "en-GB", timeZone: "Asia/Tokyo" })).toContain("08:30");
    expect(formatDate("not a date")).toBe("");
  });
  it("relative times", () => {
    const now = Date.parse("2026-12-01T12:00:00Z");
    expect(relativeTime("2026-12-01T11:58:00Z", now, { language: "en" })).toBe("2 minutes ago");
    expect(relativeTime("2026-11-29T12:00:00Z", now, { language: "en" })).toBe("2 days ago");
  });
});

describe("messages", () => {
  it("fills placeholders and falls back to English", () => {
    setLanguage("fr");
    expect(t("library.count", { count: 3 })).toBe("3 items");
    expect(t("home.recent", {})).toBe("Recently added to {name}");
  });
});

describe("routes", () => {
  it("matches patterns", () => {
    expect(match("/", "/")).toEqual({});
    expect(match("/media/:id", "/media/abc")).toEqual({ id: "abc" });
    expect(match("/media/:id", "/media/abc/")).toEqual({ id: "abc" });
    expect(match("/media/:id", "/media/")).toBeNull();
    expect(match("/media/:id", "/media/a/b")).toBeNull();
    expect(match("/play/:file", "/play/a%20b")).toEqual({ file: "a b" });
    expect(match("/admin/users", "/admin")).toBeNull();
    expect(match("/media/:id", "/media/%E0%A4%A")).toBeNull();
  });
});

describe("webauthn encoding", () => {
  it("round-trips base64url", () => {
    const bytes = new Uint8Array([0, 1, 2, 250, 251, 252, 253, 254, 255]);
    const s = bytesToB64url(bytes);
    expect(s).not.toMatch(/[+/=]/);
    expect([...b64urlToBytes(s)]).toEqual([...bytes]);
    expect(bytesToB64url(new Uint8Array([]))).toBe("");
  });
});

describe("media", () => {
  const item = { id: "abc", type: "movie", title: "X", library_id: "l" } as Item;
  it("asks for pictures at widths the server makes", () => {
    expect(posterUrl(item, 300)).toBe("/api/v1/media/abc/images/poster?w=320");
    expect(posterUrl(item, 100)).toBe("/api/v1/media/abc/images/poster?w=160");
    expect(posterUrl(item, 5000)).toBe("/api/v1/media/abc/images/poster?w=1920");
    expect(posterUrl({ ...item, images: { poster: "/p?v=1" } }, 480)).toBe("/p?v=1&w=480");
  });
  it("names what a file holds for canPlayType, leaving covers out", () => {
    const f = (container: string, streams: object[]) => ({ container, streams }) as unknown as MediaFile;
    expect(mimeFor(f("mov,mp4,m4a,3gp,3g2,mj2", [{ type: "video", codec: "h264" }, { type: "audio", codec: "aac" }]), false)).toBe(
      'video/mp4; codecs="avc1.42E01E, mp4a.40.2"',
    );
    expect(mimeFor(f("mov,mp4,m4a,3gp,3g2,mj2", [{ type: "audio", codec: "aac" }, { type: "video", codec: "mjpeg", cover: true }]), true)).toBe(
      'audio/mp4; codecs="mp4a.40.2"',
    );
    expect(mimeFor(f("avi", [{ type: "video", codec: "mpeg4" }]), false)).toBeNull();
    expect(mimeFor(f("matroska,webm", [{ type: "video", codec: "mpeg2video" }]), false)).toBeNull();
  });
});
