// ElTag type of each queue reason.
export const REASON_TAG = {
  broken_promise: 'danger',
  promise_due: 'warning',
  follow_up_due: 'primary',
  strategy: 'info'
}
export function reasonTag(reason) {
  return REASON_TAG[reason] || 'info'
}
