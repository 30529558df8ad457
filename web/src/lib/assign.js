// Reassigning cases: one (POST /api/cases/{id}/assign) or many at once
// (POST /api/cases/assign, all or nothing).  The server checks the rules
// (a team leader within the team only, every case in the caller's scope).

// The most cases one bulk reassignment takes (the server's limit).
export const BULK_ASSIGN_MAX = 500

const trimmed = (s) => (typeof s === 'string' ? s.trim() : '')

// The ids of the selected rows, each once, in the order selected.
export function selectedIds(rows) {
  const out = []
  for (const r of rows || []) {
    const id = Number(r && r.id)
    if (Number.isInteger(id) && id > 0 && !out.includes(id)) out.push(id)
  }
  return out
}

// POST /api/cases/assign body, or null when something is missing or the
// list is empty or too long.
export function assignManyBody(ids, collector, reason) {
  const cases = selectedIds((ids || []).map((id) => ({ id })))
  const c = trimmed(collector)
  const r = trimmed(reason)
  if (!cases.length || cases.length > BULK_ASSIGN_MAX || !c || !r) return null
  return { cases, collector: c, reason: r }
}

// The ids as text for a dialog: the first `max`, then an ellipsis.
export function idsPreview(ids, max = 20) {
  const list = ids || []
  return list.slice(0, max).join(', ') + (list.length > max ? ', …' : '')
}
