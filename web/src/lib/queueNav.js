// The order of today's queue, remembered for the session so that `n` on a
// case page opens the next case of the queue.
const KEY = 'huikuan.queue'

export function createQueueMemory(storage) {
  const s = () => storage ?? (typeof sessionStorage !== 'undefined' ? sessionStorage : null)
  return {
    save(ids) {
      try {
        s()?.setItem(KEY, JSON.stringify(ids.map(Number)))
      } catch {
        /* ignore */
      }
    },
    load() {
      try {
        const v = JSON.parse(s()?.getItem(KEY) || '[]')
        return Array.isArray(v) ? v.map(Number).filter(Number.isFinite) : []
      } catch {
        return []
      }
    },
    clear() {
      try {
        s()?.removeItem(KEY)
      } catch {
        /* ignore */
      }
    }
  }
}

// The case after `current` in the queue; the first one when `current` is not
// in it; null at the end or for an empty queue.
export function nextCaseId(ids, current) {
  if (!ids || ids.length === 0) return null
  const i = ids.indexOf(Number(current))
  if (i < 0) return ids[0]
  return i + 1 < ids.length ? ids[i + 1] : null
}

// How many cases for each reason, in the server's order of reasons.
export const REASONS = ['broken_promise', 'promise_due', 'follow_up_due', 'strategy']

export function countByReason(cases) {
  const out = Object.fromEntries(REASONS.map((r) => [r, 0]))
  for (const c of cases || []) {
    const r = c && c.reason
    out[r] = (out[r] || 0) + 1
  }
  return out
}

export const queueMemory = createQueueMemory()
