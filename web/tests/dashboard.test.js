import { describe, expect, it } from 'vitest'
import {
  bucketChart,
  bucketCount,
  collectorRows,
  formatLimits,
  formatRate,
  rankingChart,
  recoveryChart,
  rollBuckets,
  rollRows,
  rollTrendChart,
  promiseChart,
  promiseRows,
  trendChart,
  userNames
} from '../src/lib/dashboard.js'

// The shape GET /api/dashboard answers (cut down).
const dash = {
  as_of: '2026-11-24',
  buckets: [
    { bucket: 'M1', cases: 205, total_overdue: '1420534.82' },
    { bucket: 'M2', cases: 95, total_overdue: '1195370.22' }
  ],
  trend: [
    { date: '2026-11-23', overdue_accounts: 660, total_overdue: '13000000.10' },
    { date: '2026-11-24', overdue_accounts: 671, total_overdue: '13244210.62' }
  ],
  promises: { days: 30, taken: 241, kept: 108, broken: 72, pending: 61, kept_rate: '0.60' },
  collectors: [
    { id: 5, username: 'zhao.lei', display_name: '赵磊', team_id: 1, cases: 587, overdue_cases: 176, total_overdue: '3360994.13' },
    { id: 6, username: 'chen.jing', display_name: '陈静', team_id: 2, cases: 500, overdue_cases: 176, total_overdue: '1.00' },
    { id: 4, username: 'li.na', display_name: '李娜', team_id: 1, cases: 597, overdue_cases: 187, total_overdue: '3211802.85' }
  ]
}

describe('dashboard charts', () => {
  it('bucket bars: counts and amounts on two axes, amounts parsed for plotting only', () => {
    const o = bucketChart(dash.buckets, { accounts: 'A', amount: 'Y' })
    expect(o.xAxis.data).toEqual(['M1', 'M2'])
    expect(o.series.map((s) => [s.name, s.type, s.yAxisIndex ?? 0])).toEqual([
      ['A', 'bar', 0],
      ['Y', 'bar', 1]
    ])
    expect(o.series[0].data).toEqual([205, 95])
    expect(o.series[1].data).toEqual([1420534.82, 1195370.22])
  })
  it('the count is `cases` (server) or `accounts` (older contract)', () => {
    expect(bucketCount({ cases: 3 })).toBe(3)
    expect(bucketCount({ accounts: 4 })).toBe(4)
    expect(bucketCount({})).toBe(0)
  })
  it('trend lines in date order', () => {
    const o = trendChart(dash.trend)
    expect(o.xAxis.data).toEqual(['2026-11-23', '2026-11-24'])
    expect(o.series[0]).toMatchObject({ type: 'line', data: [660, 671] })
    expect(o.series[1]).toMatchObject({ type: 'line', yAxisIndex: 1, data: [13000000.1, 13244210.62] })
  })
  it('promise outcomes as pie slices, labelled by the caller', () => {
    expect(promiseRows(dash.promises)).toEqual([
      { key: 'kept', value: 108 },
      { key: 'broken', value: 72 },
      { key: 'pending', value: 61 }
    ])
    const o = promiseChart(dash.promises, (k) => k.toUpperCase())
    expect(o.series[0].type).toBe('pie')
    expect(o.series[0].data).toEqual([
      { name: 'KEPT', value: 108 },
      { name: 'BROKEN', value: 72 },
      { name: 'PENDING', value: 61 }
    ])
    expect(promiseRows(null).every((r) => r.value === 0)).toBe(true)
  })
  it('kept rate as a percentage', () => {
    expect(formatRate('0.60')).toBe('60.0%')
    expect(formatRate(0.4567)).toBe('45.7%')
    expect(formatRate('1')).toBe('100.0%')
    expect(formatRate(null)).toBe('—')
  })
  it('rates above one stay fractions, rounded half up on the exact digits', () => {
    expect(formatRate('2.6619')).toBe('266.2%')
    expect(formatRate('0.0005')).toBe('0.1%')
    expect(formatRate('0.0004')).toBe('0.0%')
    expect(formatRate('0.1235')).toBe('12.4%')
    expect(formatRate('n/a')).toBe('n/a')
  })
})

// roll rates as the server gives them: newest month first
const rolls = [
  {
    from: '2026-10-31',
    to: '2026-11-30',
    rows: [
      { bucket: 'M0', accounts: 100, to: [{ bucket: 'M0', accounts: 90 }, { bucket: 'M1', accounts: 10 }, { bucket: 'M2', accounts: 0 }],
        forward: 10, stayed: 90, back: 0, cured: 0, forward_rate: '0.1000', stay_rate: '0.9000', back_rate: '0.0000', cure_rate: null },
      { bucket: 'M1', accounts: 20, to: [{ bucket: 'M0', accounts: 5 }, { bucket: 'M1', accounts: 3 }, { bucket: 'M2', accounts: 12 }],
        forward: 12, stayed: 3, back: 5, cured: 5, forward_rate: '0.6000', stay_rate: '0.1500', back_rate: '0.2500', cure_rate: '0.2500' },
      { bucket: 'M2', accounts: 0, to: [{ bucket: 'M0', accounts: 0 }, { bucket: 'M1', accounts: 0 }, { bucket: 'M2', accounts: 0 }],
        forward: 0, stayed: 0, back: 0, cured: 0, forward_rate: null, stay_rate: null, back_rate: null, cure_rate: null }
    ]
  },
  {
    from: '2026-09-30',
    to: '2026-10-31',
    rows: [
      { bucket: 'M0', accounts: 110, to: [], forward_rate: '0.0500' },
      { bucket: 'M1', accounts: 0, to: [], forward_rate: null },
      { bucket: 'M2', accounts: 4, to: [], forward_rate: '1.0000' }
    ]
  }
]

describe('recovery, roll rates and rankings', () => {
  it('recovery per day: amounts as bars, payments as a line', () => {
    const o = recoveryChart({ days: [{ date: '2026-11-01', payments: 3, amount: '1200.50' }, { date: '2026-11-03', payments: 1, amount: '9.99' }] }, { amount: 'Y', payments: 'N' })
    expect(o.xAxis.data).toEqual(['2026-11-01', '2026-11-03'])
    expect(o.series[0]).toMatchObject({ name: 'Y', type: 'bar', data: [1200.5, 9.99] })
    expect(o.series[1]).toMatchObject({ name: 'N', type: 'line', yAxisIndex: 1, data: [3, 1] })
    expect(recoveryChart(null).series[0].data).toEqual([])
  })
  it('a month of roll rates as rows with one column per destination, empty buckets left out', () => {
    const rows = rollRows(rolls[0])
    expect(rows.map((r) => r.bucket)).toEqual(['M0', 'M1'])
    expect(rows[1]).toMatchObject({ accounts: 20, to_M0: 5, to_M1: 3, to_M2: 12, forward_rate: '0.6000', cure_rate: '0.2500' })
    expect(rollRows(undefined)).toEqual([])
    expect(rollBuckets(rolls)).toEqual(['M0', 'M1', 'M2'])
  })
  it('the roll trend: oldest month first, a line per bucket that can roll, gaps where a bucket was empty', () => {
    const o = rollTrendChart(rolls, { label: (b) => 'b' + b })
    expect(o.xAxis.data).toEqual(['2026-10', '2026-11'])
    expect(o.series.map((s) => s.name)).toEqual(['bM0', 'bM1'])
    expect(o.series[0].data).toEqual([5, 10])
    expect(o.series[1].data).toEqual([null, 60])
  })
  it('rankings: the best collector on top of the bars', () => {
    const o = rankingChart([
      { username: 'a', display_name: '甲', recovered: '300.00' },
      { username: 'b', display_name: '', recovered: '100.00' }
    ])
    expect(o.yAxis.data).toEqual(['b', '甲'])
    expect(o.series[0].data).toEqual([100, 300])
  })
})

describe('collectors and names', () => {
  it('sorted by overdue cases, then user name; filtered by team', () => {
    expect(collectorRows(dash.collectors).map((c) => c.username)).toEqual(['li.na', 'chen.jing', 'zhao.lei'])
    expect(collectorRows(dash.collectors, 1).map((c) => c.username)).toEqual(['li.na', 'zhao.lei'])
    expect(collectorRows(undefined)).toEqual([])
  })
  it('user id → name, unknown ids shown as #id', () => {
    const name = userNames(dash.collectors, [{ id: 9, username: 'x' }])
    expect(name(4)).toBe('李娜')
    expect(name(9)).toBe('x')
    expect(name(77)).toBe('#77')
    expect(name(null)).toBe('—')
  })
})

describe('approval limits', () => {
  it('ppm to a percentage without floats', () => {
    expect(formatLimits({ role: 'team_leader', share_ppm: 100000, max: '2000.00' })).toEqual({ role: 'team_leader', percent: '10', max: '2000.00' })
    expect(formatLimits({ role: 'manager', share_ppm: 125000 })).toEqual({ role: 'manager', percent: '12.5', max: null })
    expect(formatLimits(null)).toBe(null)
  })
})

import { percentFromPpm } from '../src/lib/dashboard.js'

describe('percentFromPpm', () => {
  it('gives exact percentages from parts per million', () => {
    expect(percentFromPpm(100000)).toBe('10')
    expect(percentFromPpm(240000)).toBe('24')
    expect(percentFromPpm(125000)).toBe('12.5')
    expect(percentFromPpm(1)).toBe('0.0001')
    expect(percentFromPpm(null)).toBe(null)
  })
})
