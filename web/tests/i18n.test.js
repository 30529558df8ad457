import { describe, expect, it } from 'vitest'
import { readFileSync, readdirSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { MENU_ITEMS } from '../src/lib/nav.js'
import { CHANNELS, OUTCOMES } from '../src/lib/actions.js'
import { EVENT_FIELDS, FIELD_LABEL_KEYS, MESSAGE_KINDS } from '../src/lib/timeline.js'
import { REASONS } from '../src/lib/queueNav.js'
import { ROLES } from '../src/lib/nav.js'

const root = new URL('../', import.meta.url).pathname
const load = (lang) => JSON.parse(readFileSync(join(root, 'src/i18n/locales', `${lang}.json`), 'utf8'))
const zh = load('zh')
const en = load('en')

function flatten(obj, prefix = '', out = {}) {
  for (const [k, v] of Object.entries(obj)) {
    if (v && typeof v === 'object') flatten(v, `${prefix}${k}.`, out)
    else out[`${prefix}${k}`] = v
  }
  return out
}
const fzh = flatten(zh)
const fen = flatten(en)
const has = (key) => key in fzh && key in fen

function sourceFiles(dir) {
  const out = []
  for (const f of readdirSync(dir)) {
    const p = join(dir, f)
    if (statSync(p).isDirectory()) out.push(...sourceFiles(p))
    else if (/\.(vue|js)$/.test(f)) out.push(p)
  }
  return out
}

describe('i18n messages', () => {
  it('zh and en have exactly the same keys', () => {
    const a = Object.keys(fzh).sort()
    const b = Object.keys(fen).sort()
    expect(a.filter((k) => !(k in fen))).toEqual([])
    expect(b.filter((k) => !(k in fzh))).toEqual([])
    expect(a.length).toBeGreaterThan(100)
  })

  it('every message is a non-empty string', () => {
    for (const [k, v] of Object.entries({ ...fzh, ...fen })) {
      expect(typeof v, k).toBe('string')
      expect(v.trim().length, k).toBeGreaterThan(0)
    }
  })

  it('the same placeholders in both languages', () => {
    const ph = (s) => (s.match(/\{(\w+)\}/g) || []).sort()
    for (const k of Object.keys(fzh)) expect(ph(fen[k]), k).toEqual(ph(fzh[k]))
  })

  it('no vue-i18n syntax characters by accident (linked @, plural |)', () => {
    for (const [k, v] of Object.entries({ ...fzh, ...fen })) {
      expect(/[@|$]/.test(v), `${k}: ${v}`).toBe(false)
    }
  })

  it('every literal t("…") key used in the sources exists', () => {
    const used = new Set()
    for (const f of sourceFiles(join(root, 'src'))) {
      const text = readFileSync(f, 'utf8')
      for (const m of text.matchAll(/\bt\(\s*['"]([a-zA-Z][\w.]*\w)['"]\s*[,)]/g)) used.add(m[1])
    }
    expect(used.size).toBeGreaterThan(50)
    const missing = [...used].filter((k) => !has(k))
    expect(missing).toEqual([])
  })

  it('keys built at run time exist: menu, roles, reasons, channels, outcomes, events, fields', () => {
    const keys = [
      ...Object.values(MENU_ITEMS).map((m) => m.label),
      ...ROLES.map((r) => `role.${r}`),
      ...REASONS.map((r) => `reason.${r}`),
      ...CHANNELS.map((c) => `channel.${c}`),
      ...OUTCOMES.map((o) => `outcome.${o}`),
      ...Object.keys(EVENT_FIELDS).map((e) => `event.${e}`),
      ...FIELD_LABEL_KEYS.map((f) => `field.${f}`),
      ...['team', 'dashboard', 'admin'].map((p) => `placeholder.${p}`),
      ...['pending', 'kept', 'broken'].map((p) => `promiseStatus.${p}`)
    ]
    expect(keys.filter((k) => !has(k))).toEqual([])
    expect(FIELD_LABEL_KEYS).toContain('recipient')
    // a message's title names its channel
    for (const k of MESSAGE_KINDS) expect(fzh[`event.${k}`], k).toContain('{channel}')
  })

  it('Chinese is Chinese and English is not', () => {
    expect(fzh['nav.queue']).toBe('工作台')
    expect(fzh['app.comingSoon']).toBe('建设中')
    expect(fen['app.comingSoon']).toBe('Coming soon')
    const cjk = /[\u4e00-\u9fff]/
    expect(Object.values(fen).filter((v) => cjk.test(v))).toEqual([])
  })
})
