// What to show for each kind of timeline event (GET /api/cases/{id}/timeline).

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
  assigned: ['how', 'collector', 'reason']
}

const MONEY_FIELDS = new Set(['amount'])

// [{field, value, money}] for the fields of the event that have a value;
// an unknown kind shows whatever extra fields it has.
export function eventDetails(ev) {
  if (!ev) return []
  const known = EVENT_FIELDS[ev.kind]
  const skip = new Set(['kind', 'at', 'date', 'user_id', 'id'])
  const fields = known || Object.keys(ev).filter((k) => !skip.has(k))
  return fields
    .filter((f) => ev[f] !== null && ev[f] !== undefined && ev[f] !== '')
    .map((f) => ({ field: f, value: ev[f], money: MONEY_FIELDS.has(f) }))
}

// ElTimelineItem type (colour) of an event.
export function eventType(ev) {
  switch (ev && ev.kind) {
    case 'payment':
      return 'success'
    case 'promise':
      return ev.status === 'broken' ? 'danger' : ev.status === 'kept' ? 'success' : 'warning'
    case 'dispute_opened':
      return 'danger'
    case 'record':
      return ev.outcome === 'reached_debtor' || ev.outcome === 'promised' ? 'primary' : 'info'
    default:
      return 'info'
  }
}
