// Request bodies and display helpers of the administration pages.
import { normalizeAmount } from './money.js'

export const USER_ROLES = ['admin', 'manager', 'team_leader', 'collector', 'agency_collector', 'auditor']
export const TEAM_ROLES = new Set(['team_leader', 'collector'])

// The create-user form -> POST /api/users body.  A team only for team
// leaders and collectors, an agency only (and always) for agency collectors.
export function createUserBody(form) {
  const body = {
    username: String(form.username || '').trim(),
    display_name: String(form.display_name || '').trim(),
    role: form.role
  }
  if (TEAM_ROLES.has(form.role) && form.team != null && form.team !== '') body.team = Number(form.team)
  if (form.role === 'agency_collector' && form.agency != null && form.agency !== '') body.agency = Number(form.agency)
  return body
}

// Only what changed between the user and the edit form -> POST /api/users/{id}.
export function changeUserBody(user, form) {
  const body = {}
  const norm = (v) => (v === '' || v === undefined ? null : v)
  if (form.display_name !== undefined && form.display_name.trim() !== (user.display_name || '')) body.display_name = form.display_name.trim()
  if (norm(form.team) !== norm(user.team_id)) body.team = norm(form.team)
  if (norm(form.agency) !== norm(user.agency_id)) body.agency = norm(form.agency)
  if (form.active !== undefined && Boolean(form.active) !== Boolean(user.active)) body.active = Boolean(form.active)
  if (user.role === 'collector' && form.capacity !== undefined && form.capacity !== null && Number(form.capacity) !== Number(user.capacity || 0))
    body.capacity = Number(form.capacity)
  return body
}

// A real absence, or null.  (The server has answered a zero date
// "1970-01-01" for "none" on a freshly created user.)
export function activeAbsence(a) {
  if (!a || !a.from || String(a.from).startsWith('1970-01-01')) return null
  return { from: a.from, until: a.until && !String(a.until).startsWith('1970-01-01') ? a.until : null }
}

// Contract form -> body; returns {ok, body} or {ok:false, field}.
export function contractBody(form) {
  if (!form.starts_on) return { ok: false, field: 'starts_on' }
  if (!form.ends_on || form.ends_on < form.starts_on) return { ok: false, field: 'ends_on' }
  const c = String(form.commission ?? '').trim()
  if (!/^\d{1,3}(\.\d{1,2})?$/.test(c)) return { ok: false, field: 'commission' }
  const body = { starts_on: form.starts_on, ends_on: form.ends_on, commission: c, may_settle: Boolean(form.may_settle) }
  if (form.upfront_fee !== undefined && form.upfront_fee !== null && String(form.upfront_fee).trim() !== '') {
    const fee = /^0+(\.0*)?$/.test(String(form.upfront_fee).trim()) ? '0.00' : normalizeAmount(form.upfront_fee)
    if (!fee) return { ok: false, field: 'upfront_fee' }
    body.upfront_fee = fee
  }
  return { ok: true, body }
}

// id -> name lookup of a list of {id, name}.
export function nameById(list) {
  const m = new Map()
  for (const x of list || []) m.set(x.id, x.name)
  return (id) => (id == null ? '' : m.get(id) ?? `#${id}`)
}

// Script form -> body; outcomes a list of codes.
export function scriptBody(form) {
  return {
    title: String(form.title || '').trim(),
    objection: String(form.objection || '').trim(),
    body: String(form.body || ''),
    outcomes: Array.isArray(form.outcomes) ? [...form.outcomes] : []
  }
}

// Filter scripts locally by a text (title, objection, body) - the server
// filters too; this keeps the panel responsive while typing.
export function filterScripts(scripts, q) {
  const s = String(q || '').trim().toLowerCase()
  if (!s) return scripts || []
  return (scripts || []).filter((x) => [x.title, x.objection, x.body].some((f) => String(f || '').toLowerCase().includes(s)))
}

// Suggested first, then the rest, each in the server's order.
export function orderScripts(scripts, suggested) {
  const set = new Set(suggested || [])
  const list = scripts || []
  return [...list.filter((s) => set.has(s.id)).map((s) => ({ ...s, suggested: true })), ...list.filter((s) => !set.has(s.id))]
}

// The case's last contact outcome from its timeline events (newest last or first).
export function lastOutcome(events) {
  let best = null
  for (const e of events || []) {
    if (!e || !e.outcome) continue
    const at = e.at ?? 0
    if (!best || at >= (best.at ?? 0)) best = e
  }
  return best ? best.outcome : null
}
