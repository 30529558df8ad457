import { describe, expect, it } from 'vitest'
import { isPlainKey, isTypingTarget, moveSelection } from '../src/lib/keyboard.js'

describe('moveSelection', () => {
  it('j / k move down and up within bounds', () => {
    expect(moveSelection(-1, 5, 'j')).toBe(0)
    expect(moveSelection(0, 5, 'j')).toBe(1)
    expect(moveSelection(4, 5, 'j')).toBe(4)
    expect(moveSelection(3, 5, 'k')).toBe(2)
    expect(moveSelection(0, 5, 'k')).toBe(0)
    expect(moveSelection(-1, 5, 'k')).toBe(0)
  })
  it('arrow keys, g/G and Home/End', () => {
    expect(moveSelection(1, 5, 'ArrowDown')).toBe(2)
    expect(moveSelection(1, 5, 'ArrowUp')).toBe(0)
    expect(moveSelection(3, 5, 'g')).toBe(0)
    expect(moveSelection(0, 5, 'G')).toBe(4)
    expect(moveSelection(2, 5, 'Home')).toBe(0)
    expect(moveSelection(2, 5, 'End')).toBe(4)
  })
  it('other keys and empty lists are not moves', () => {
    expect(moveSelection(1, 5, 'x')).toBeNull()
    expect(moveSelection(1, 5, 'Enter')).toBeNull()
    expect(moveSelection(-1, 0, 'j')).toBeNull()
  })
})

describe('isTypingTarget / isPlainKey', () => {
  it('fields swallow shortcuts, other elements do not', () => {
    expect(isTypingTarget({ tagName: 'INPUT' })).toBe(true)
    expect(isTypingTarget({ tagName: 'textarea' })).toBe(true)
    expect(isTypingTarget({ tagName: 'SELECT' })).toBe(true)
    expect(isTypingTarget({ tagName: 'DIV', isContentEditable: true })).toBe(true)
    expect(isTypingTarget({ tagName: 'DIV', isContentEditable: false })).toBe(false)
    expect(isTypingTarget({ tagName: 'BODY' })).toBe(false)
    expect(isTypingTarget(null)).toBe(false)
  })
  it('modifier keys make a key not plain', () => {
    expect(isPlainKey({ key: 'j' })).toBe(true)
    expect(isPlainKey({ key: 'G', shiftKey: true })).toBe(true)
    expect(isPlainKey({ key: 'n', ctrlKey: true })).toBe(false)
    expect(isPlainKey({ key: 'n', metaKey: true })).toBe(false)
    expect(isPlainKey({ key: 'n', altKey: true })).toBe(false)
  })
})
