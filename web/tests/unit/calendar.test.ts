import { describe, expect, it } from "vitest";
import { isoDay, monthGrid } from "../../src/lib/calendar";
import { platformId } from "../../src/lib/track";

describe("month grid", () => {
  it("starts weeks on Monday and pads both ends", () => {
    // December 2026 begins on a Tuesday and ends on a Thursday.
    const weeks = monthGrid(2026, 11);
    expect(weeks.length).toBe(5);
    expect(weeks[0]).toEqual([null, "2026-12-01", "2026-12-02", "2026-12-03", "2026-12-04", "2026-12-05", "2026-12-06"]);
    expect(weeks[4]).toEqual(["2026-12-28", "2026-12-29", "2026-12-30", "2026-12-31", null, null, null]);
    expect(weeks.every((w) => w.length === 7)).toBe(true);
  });
  it("knows leap years", () => {
    const days = monthGrid(2028, 1).flat().filter(Boolean);
    expect(days.length).toBe(29);
    expect(days[28]).toBe("2028-02-29");
    expect(monthGrid(2027, 1).flat().filter(Boolean).length).toBe(28);
  });
  it("a month that starts on Monday has no lead", () => {
    expect(monthGrid(2027, 1)[0][0]).toBe("2027-02-01");
  });
  it("local days", () => {
    expect(isoDay(new Date(2026, 0, 5, 23, 59))).toBe("2026-01-05");
  });
});

describe("platform ids", () => {
  it("are what the server keeps", () => {
    expect(platformId(" Apple TV+ ")).toBe("apple_tv_plus");
    expect(platformId("Disney Plus")).toBe("disney_plus");
    expect(platformId("Netflix")).toBe("netflix");
    expect(platformId("--")).toBe("");
  });
});
