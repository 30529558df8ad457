import { describe, expect, it } from 'vitest'
import { compareMoney, formatMoney, normalizeAmount } from '../src/lib/money.js'

describe('formatMoney', () => {
  it('groups thousands without touching the decimals', () => {
    expect(formatMoney('1234.56')).toBe('1,234.56')
    expect(formatMoney('46165826.97')).toBe('46,165,826.97')
    expect(formatMoney('999.00')).toBe('999.00')
    expect(formatMoney('1000')).toBe('1,000')
    expect(formatMoney('0.00')).toBe('0.00')
    expect(formatMoney('-1234567.8')).toBe('-1,234,567.8')
  })
  it('keeps exact digits that a float would lose', () => {
    expect(formatMoney('12345678901234567.89')).toBe('12,345,678,901,234,567.89')
    expect(formatMoney('0.10')).toBe('0.10')
  })
  it('shows empty values as a dash and odd strings as they are', () => {
    expect(formatMoney(null)).toBe('—')
    expect(formatMoney(undefined)).toBe('—')
    expect(formatMoney('')).toBe('—')
    expect(formatMoney('n/a')).toBe('n/a')
  })
})

describe('normalizeAmount', () => {
  it('turns typed amounts into the server form', () => {
    expect(normalizeAmount('100')).toBe('100.00')
    expect(normalizeAmount('100.5')).toBe('100.50')
    expect(normalizeAmount(' 1,200.05 ')).toBe('1200.05')
    expect(normalizeAmount('007.1')).toBe('7.10')
    expect(normalizeAmount('0.01')).toBe('0.01')
    expect(normalizeAmount('12.')).toBe('12.00')
  })
  it('refuses zero, negatives, too many decimals and words', () => {
    expect(normalizeAmount('0')).toBeNull()
    expect(normalizeAmount('0.00')).toBeNull()
    expect(normalizeAmount('-5')).toBeNull()
    expect(normalizeAmount('1.234')).toBeNull()
    expect(normalizeAmount('abc')).toBeNull()
    expect(normalizeAmount('')).toBeNull()
    expect(normalizeAmount(null)).toBeNull()
  })
})

describe('compareMoney', () => {
  it('compares decimal strings exactly', () => {
    expect(compareMoney('100.00', '99.99')).toBe(1)
    expect(compareMoney('99.99', '100.00')).toBe(-1)
    expect(compareMoney('100', '100.00')).toBe(0)
    expect(compareMoney('0.1', '0.10')).toBe(0)
    expect(compareMoney('-1.00', '0.50')).toBe(-1)
    expect(compareMoney('-2.00', '-1.00')).toBe(-1)
    expect(compareMoney('-0.00', '0')).toBe(0)
    expect(compareMoney('90071992547409931.01', '90071992547409931.00')).toBe(1)
  })
  it('throws on non-money', () => {
    expect(() => compareMoney('x', '1')).toThrow()
  })
})
