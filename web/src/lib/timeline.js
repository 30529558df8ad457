// What to show for each kind of timeline event (GET /api/cases/{id}/timeline;
// the kinds and their fields: src/http/timeline.c).

export const EVENT_FIELDS = {
  record: ['channel', 'outcome', 'contact_id', 'note', 'next_follow_up'],
  status: ['from', 'to', 'reason'],
  promise: ['amount', 'due_on', 'status'],
  payment: ['amount', 'account_id', 'channel', 'payment_id'],
  waiver_request: ['amount', 'account_id', 'component', 'reason'],
  waiver_decision: ['status', 'amount', 'note'],
  dispute_opened: ['reason'],
  dispute_resolved: ['status', 'resolution'],
  plan_proposed: ['starts_on', 'note'],
  plan_decided: ['status'],
  placed: ['agency', 'until', 'reason'],
  recalled: ['agency', 'reason'],
  assigned: ['how', 'collector', 'reason'],
  // a letter written (by hand or in a batch): its number, template, what
  // it demanded and as of when
  letter: ['serial', 'template', 'total_owed', 'as_of'],
  // a message's steps through the outbox; the channel is in the title
  // ("短信已送达"), the recipient masked by the server
  message_queued: ['template', 'to'],
  message_sent: ['template', 'to'],
  message_delivered: ['template', 'to'],
  message_undelivered: ['template', 'to'],
  message_failed: ['template', 'error'],
  message_refused: ['template', 'rule']
}

// The kinds whose title names the channel (event.<kind> has {channel}).
export const MESSAGE_KINDS = Object.keys(EVENT_FIELDS).filter((k) => k.startsWith('message_'))

// A field whose label is not field.<name> for some kinds: a message's `to`
// is its recipient, a status change's `to` the new status.
const FIELD_LABELS = Object.fromEntries(MESSAGE_KINDS.map((k) => [k, { to: 'recipient' }]))

// Every label key (field.<label>) an event may use, for the i18n test.
export const FIELD_LABEL_KEYS = [
  ...new Set([...Object.values(EVENT_FIELDS).flat(), ...Object.values(FIELD_LABELS).flatMap((m) => Object.values(m))])
]

const MONEY_FIELDS = new Set(['amount', 'total_owed'])

// [{field, label, value, money}] for the fields of the event that have a
// value; an unknown kind shows whatever extra fields it has.  `label` is
// the field.* message to name it by.
export function eventDetails(ev) {
  if (!ev) return []
  const known = EVENT_FIELDS[ev.kind]
  const labels = FIELD_LABELS[ev.kind] || {}
  const skip = new Set(['kind', 'at', 'date', 'user_id', 'id'])
  const fields = known || Object.keys(ev).filter((k) => !skip.has(k))
  return fields
    .filter((f) => ev[f] !== null && ev[f] !== undefined && ev[f] !== '')
    .map((f) => ({ field: f, label: labels[f] || f, value: ev[f], money: MONEY_FIELDS.has(f) }))
}

// The title of an event: event.<kind>, with the channel for a message's
// ("短信已发送", "E-mail delivered").  tr: makeTr(t, te); t: vue-i18n's t.
export function eventTitle(ev, tr, t) {
  if (!ev) return ''
  if (MESSAGE_KINDS.includes(ev.kind)) return t(`event.${ev.kind}`, { channel: tr('channel', ev.channel) })
  return tr('event', ev.kind)
}

// What each field of an event shows: [{field, label (translated), text,
// money, mono}] — codes translated (channel, outcome, a promise's
// status), money grouped on its digits, a masked recipient in monospace.
// formatMoney is passed in (src/lib/money.js) to keep this file free of it.
export function eventFields(ev, tr, formatMoney) {
  return eventDetails(ev).map((f) => {
    let text
    if (f.money) text = formatMoney(f.value)
    else if (f.field === 'outcome') text = tr('outcome', f.value)
    else if (ev.kind === 'payment' && f.field === 'channel') text = tr('payChannel', f.value)
    else if (f.field === 'channel') text = tr('channel', f.value)
    else if (ev.kind === 'promise' && f.field === 'status') text = tr('promiseStatus', f.value)
    else text = String(f.value)
    return { field: f.field, label: tr('field', f.label), text, money: f.money, mono: f.label === 'recipient' || f.field === 'serial' }
  })
}

// The event in one line: "标题 — 函号: HK-2026-000001 · 模板: first_notice · …".
export function eventSummary(ev, tr, t, formatMoney) {
  const fields = eventFields(ev, tr, formatMoney).map((f) => `${f.label}: ${f.text}`)
  const title = eventTitle(ev, tr, t)
  return fields.length ? `${title} — ${fields.join(' · ')}` : title
}

// ElTimelineItem type (colour) of an event.
export function eventType(ev) {
  switch (ev && ev.kind) {
    case 'payment':
    case 'message_delivered':
      return 'success'
    case 'promise':
      return ev.status === 'broken' ? 'danger' : ev.status === 'kept' ? 'success' : 'warning'
    case 'dispute_opened':
    case 'message_undelivered':
    case 'message_failed':
    case 'message_refused':
      return 'danger'
    case 'record':
      return ev.outcome === 'reached_debtor' || ev.outcome === 'promised' ? 'primary' : 'info'
    case 'letter':
    case 'message_sent':
      return 'primary'
    default:
      return 'info'
  }
}
