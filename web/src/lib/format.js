// Dates and times for display.

// Unix seconds -> "2026-11-24 09:05" in the browser's time zone.
export function formatUnix(sec) {
  if (sec === null || sec === undefined || sec === '') return ''
  const d = new Date(Number(sec) * 1000)
  if (Number.isNaN(d.getTime())) return ''
  const p = (n) => String(n).padStart(2, '0')
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}`
}

// A timeline event's when: the moment if known, else its date.
export function eventWhen(ev) {
  if (!ev) return ''
  if (ev.at !== null && ev.at !== undefined) return formatUnix(ev.at)
  return ev.date || ''
}

// "YYYY-MM-DD" of a Date in local time.
export function isoDate(d) {
  const p = (n) => String(n).padStart(2, '0')
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}`
}

// "YYYY-MM-DD" + n days (calendar arithmetic in UTC, no time zone drift).
export function addDays(iso, n) {
  const [y, m, d] = iso.split('-').map(Number)
  const t = new Date(Date.UTC(y, m - 1, d + n))
  const p = (x) => String(x).padStart(2, '0')
  return `${t.getUTCFullYear()}-${p(t.getUTCMonth() + 1)}-${p(t.getUTCDate())}`
}
