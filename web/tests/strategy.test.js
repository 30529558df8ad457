import { describe, expect, it } from 'vitest'
import {
  allocationRows,
  decisionTable,
  dryRunChartOption,
  dryRunView,
  formatRange,
  parseStrategyJson,
  summariseConditions
} from '../src/lib/strategy.js'

const strategy = {
  name: 'demo',
  rules: [
    { id: 'dispute-hold', name: '异议', when: { dispute_open: true }, then: { queue: 'disputes', channel: 'none', priority: 90, follow_up_days: 3 } },
    {
      id: 'm6-small',
      name: '委外',
      when: { bucket: ['M6', 'M7+'], total_overdue: { max: '50000.00' }, dpd: { min: 1, max: 90 } },
      then: { queue: 'agency', channel: 'agency', priority: 60, follow_up_days: 30 }
    },
    {
      id: 'm1-first',
      when: { bucket: ['M1'] },
      arms: [
        { name: 'champion-sms', share: 50, then: { queue: 'early', channel: 'sms', template: 'first_notice', priority: 30 } },
        { name: 'challenger-call', share: 50, then: { queue: 'early', channel: 'call', priority: 35, follow_up_days: 3 } }
      ]
    },
    { id: 'rest', name: '其余', then: { queue: 'review', channel: 'none', priority: 20 } }
  ],
  allocation: { queues: { early: ['一组'], legal: ['二组', '一组'] }, rotate_after_days: 45 }
}

describe('strategy conditions', () => {
  it('formats ranges with both, one or no bound; money stays text', () => {
    expect(formatRange({ min: 1, max: 90 })).toBe('1–90')
    expect(formatRange({ min: 65 })).toBe('≥ 65')
    expect(formatRange({ max: '50000.00' })).toBe('≤ 50000.00')
    expect(formatRange({})).toBe('*')
  })
  it('summarises each kind of condition in written order', () => {
    expect(summariseConditions(strategy.rules[1].when)).toEqual([
      { key: 'bucket', kind: 'list', text: 'M6, M7+' },
      { key: 'total_overdue', kind: 'range', text: '≤ 50000.00' },
      { key: 'dpd', kind: 'range', text: '1–90' }
    ])
    expect(summariseConditions({ lost_contact: false })).toEqual([{ key: 'lost_contact', kind: 'bool', value: false, text: 'false' }])
    expect(summariseConditions({ outcomes_any: ['hardship'] })[0]).toEqual({ key: 'outcomes_any', kind: 'list', text: 'hardship' })
    expect(summariseConditions(undefined)).toEqual([])
  })
})

describe('decision table', () => {
  const table = decisionTable(strategy)
  it('one row per rule, conditions and a single arm for a plain rule', () => {
    expect(table.map((r) => r.id)).toEqual(['dispute-hold', 'm6-small', 'm1-first', 'rest'])
    expect(table[0].arms).toEqual([
      { name: null, share: null, queue: 'disputes', channel: 'none', priority: 90, template: null, follow_up_days: 3, hours: null, paydays: null }
    ])
    expect(table[3].conditions).toEqual([])
  })
  it('champion / challenger arms keep their names, shares and treatments', () => {
    const arms = table[2].arms
    expect(arms.map((a) => [a.name, a.share, a.channel, a.priority])).toEqual([
      ['champion-sms', 50, 'sms', 30],
      ['challenger-call', 50, 'call', 35]
    ])
    expect(arms[0].template).toBe('first_notice')
    expect(arms[1].follow_up_days).toBe(3)
    expect(table[2].name).toBe('')
  })
  it('copes with no strategy', () => {
    expect(decisionTable(null)).toEqual([])
  })
})

describe('allocation', () => {
  it('queues to teams and the rotation', () => {
    expect(allocationRows(strategy.allocation)).toEqual({
      rows: [
        { queue: 'early', teams: ['一组'] },
        { queue: 'legal', teams: ['二组', '一组'] }
      ],
      rotateAfterDays: 45
    })
    expect(allocationRows(undefined)).toEqual({ rows: [], rotateAfterDays: null })
  })
})

describe('dry run → table and chart', () => {
  const dry = {
    id: 2,
    as_of: '2026-11-24',
    cases: 200,
    rules: [
      { id: 'dispute-hold', cases: 0 },
      { id: 'm6-small', cases: 104 },
      { id: 'm1-first', cases: 29, arms: [{ name: 'champion-sms', cases: 13 }, { name: 'challenger-call', cases: 16 }] },
      { id: 'rest', cases: 67 }
    ]
  }
  const view = dryRunView(dry, strategy)
  it('rows carry the rule names and arms', () => {
    expect(view.rows[1]).toEqual({ id: 'm6-small', name: '委外', cases: 104, arms: [] })
    expect(view.rows[2].arms).toEqual([
      { name: 'champion-sms', cases: 13 },
      { name: 'challenger-call', cases: 16 }
    ])
    expect(view.total).toBe(200)
    expect(view.matched).toBe(200)
    expect(view.asOf).toBe('2026-11-24')
  })
  it('the chart has one bar per rule in rule order', () => {
    const opt = dryRunChartOption(view, '案件数')
    expect(opt.xAxis.data).toEqual(['dispute-hold', 'm6-small', 'm1-first', 'rest'])
    expect(opt.series).toHaveLength(1)
    expect(opt.series[0]).toMatchObject({ type: 'bar', name: '案件数', data: [0, 104, 29, 67] })
  })
  it('an empty dry run', () => {
    const v = dryRunView({ rules: [] }, null)
    expect(v.rows).toEqual([])
    expect(v.total).toBe(0)
  })
})

describe('strategy JSON', () => {
  it('parses an object, refuses arrays and broken text', () => {
    expect(parseStrategyJson('{"name":"x","rules":[]}')).toEqual({ ok: true, value: { name: 'x', rules: [] } })
    expect(parseStrategyJson('[1]').ok).toBe(false)
    const bad = parseStrategyJson('{"name":')
    expect(bad.ok).toBe(false)
    expect(typeof bad.error).toBe('string')
  })
})
