// The collector's actions on a case: form values -> request bodies.
import { normalizeAmount } from './money.js'

export const CHANNELS = ['call', 'sms', 'email', 'letter', 'visit', 'lawyer_letter', 'court']
export const OUTCOMES = [
  'reached_debtor',
  'third_party',
  'no_answer',
  'wrong_number',
  'refused',
  'promised',
  'disputes',
  'claims_paid',
  'hardship',
  'deceased',
  'busy',
  'switched_off',
  'left_message',
  'delivered',
  'returned'
]

// POST /api/cases/{id}/records body: empty optional fields left out.
export function recordBody(form) {
  const body = { channel: form.channel, outcome: form.outcome }
  if (form.contact_id) body.contact_id = form.contact_id
  const note = (form.note || '').trim()
  if (note) body.note = note
  if (form.next_follow_up) body.next_follow_up = form.next_follow_up
  return body
}

// POST /api/cases/{id}/promises body, or null when the amount is not valid.
export function promiseBody(form) {
  const amount = normalizeAmount(form.amount)
  if (!amount || !form.due_on) return null
  return { amount, due_on: form.due_on }
}

// What to show when the server refuses: the rule (if any) and its message.
export function refusalOf(err) {
  if (!err) return null
  return { rule: err.rule || null, message: err.message || String(err), code: err.code || null, status: err.status || 0 }
}
