/** Glance renders timestamps as `2026-11-25T13:38:38Z` (seconds, no fraction). */
export const isoSeconds = (iso: string | null): string | null => (iso ? `${iso.slice(0, 19)}Z` : null);
