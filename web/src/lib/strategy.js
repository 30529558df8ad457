// A strategy version's rules as a decision table, its dry run as chart data,
// its allocation as rows.  Pure functions: the views translate the keys.

const RANGE_KEYS = new Set(['dpd', 'total_overdue', 'days_since_contact', 'days_since_payment', 'days_to_due', 'age'])
const BOOL_KEYS = new Set(['dispute_open', 'lost_contact'])

// {min, max} -> "1–90", "≥ 1", "≤ 90"; money stays the server's text.
export function formatRange(r) {
  if (!r || typeof r !== 'object') return String(r)
  const has = (v) => v !== undefined && v !== null && v !== ''
  if (has(r.min) && has(r.max)) return `${r.min}–${r.max}`
  if (has(r.min)) return `≥ ${r.min}`
  if (has(r.max)) return `≤ ${r.max}`
  return '*'
}

// One rule's `when` -> [{key, kind: 'range'|'list'|'bool'|'other', text, value}]
// in the order the keys were written.  An empty / missing `when` is [] (any case).
export function summariseConditions(when) {
  if (!when || typeof when !== 'object') return []
  const out = []
  for (const [key, v] of Object.entries(when)) {
    if (RANGE_KEYS.has(key) && v && typeof v === 'object' && !Array.isArray(v)) {
      out.push({ key, kind: 'range', text: formatRange(v) })
    } else if (BOOL_KEYS.has(key) || typeof v === 'boolean') {
      out.push({ key, kind: 'bool', value: Boolean(v), text: String(Boolean(v)) })
    } else if (Array.isArray(v)) {
      out.push({ key, kind: 'list', text: v.join(', ') })
    } else {
      out.push({ key, kind: 'other', text: typeof v === 'object' ? JSON.stringify(v) : String(v) })
    }
  }
  return out
}

function treatmentOf(then) {
  const t = then || {}
  return {
    queue: t.queue ?? null,
    channel: t.channel ?? null,
    priority: t.priority ?? null,
    template: t.template ?? null,
    follow_up_days: t.follow_up_days ?? null,
    hours: Array.isArray(t.hours) ? t.hours : null,
    paydays: Array.isArray(t.paydays) ? t.paydays : null
  }
}

// strategy -> [{index, id, name, conditions, arms: [{name, share, ...treatment}]}];
// a rule without arms has one arm with name and share null.
export function decisionTable(strategy) {
  const rules = (strategy && Array.isArray(strategy.rules) && strategy.rules) || []
  return rules.map((r, index) => ({
    index,
    id: r.id ?? String(index),
    name: r.name ?? '',
    conditions: summariseConditions(r.when),
    arms:
      Array.isArray(r.arms) && r.arms.length
        ? r.arms.map((a) => ({ name: a.name ?? null, share: a.share ?? null, ...treatmentOf(a.then) }))
        : [{ name: null, share: null, ...treatmentOf(r.then) }]
  }))
}

// allocation {queues: {q: [teams]}, rotate_after_days} -> {rows: [{queue, teams}], rotateAfterDays}
export function allocationRows(allocation) {
  const queues = (allocation && allocation.queues) || {}
  return {
    rows: Object.entries(queues).map(([queue, teams]) => ({
      queue,
      teams: Array.isArray(teams) ? teams : [teams]
    })),
    rotateAfterDays: allocation && allocation.rotate_after_days != null ? allocation.rotate_after_days : null
  }
}

// Dry run {cases, rules: [{id, cases, arms?}]} (+ the strategy for names) ->
// table rows and the bar chart's categories / values.
export function dryRunView(dry, strategy) {
  const names = {}
  for (const r of (strategy && strategy.rules) || []) names[r.id] = r.name
  const rules = (dry && Array.isArray(dry.rules) && dry.rules) || []
  const rows = rules.map((r) => ({
    id: r.id,
    name: names[r.id] || '',
    cases: Number(r.cases) || 0,
    arms: Array.isArray(r.arms) ? r.arms.map((a) => ({ name: a.name, cases: Number(a.cases) || 0 })) : []
  }))
  const matched = rows.reduce((s, r) => s + r.cases, 0)
  return {
    total: dry && dry.cases != null ? Number(dry.cases) : matched,
    matched,
    asOf: (dry && dry.as_of) || null,
    rows,
    categories: rows.map((r) => r.id),
    values: rows.map((r) => r.cases)
  }
}

// The bar chart of a dry run (ECharts option).
export function dryRunChartOption(view, seriesName) {
  return {
    tooltip: { trigger: 'axis' },
    grid: { left: 48, right: 16, top: 24, bottom: 90 },
    xAxis: { type: 'category', data: view.categories, axisLabel: { rotate: 45, interval: 0 } },
    yAxis: { type: 'value', minInterval: 1 },
    series: [{ type: 'bar', name: seriesName, data: view.values, label: { show: true, position: 'top' } }]
  }
}

// Parse the textarea; returns {ok, value} or {ok: false, error}.
export function parseStrategyJson(text) {
  try {
    const value = JSON.parse(text)
    if (!value || typeof value !== 'object' || Array.isArray(value)) return { ok: false, error: 'not an object' }
    return { ok: true, value }
  } catch (e) {
    return { ok: false, error: e.message }
  }
}
