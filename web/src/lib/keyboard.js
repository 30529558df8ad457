// Keyboard helpers for the workstation.

// Is the key event typed into a field (then shortcuts must not fire)?
export function isTypingTarget(target) {
  if (!target) return false
  const tag = (target.tagName || '').toUpperCase()
  if (tag === 'INPUT' || tag === 'TEXTAREA' || tag === 'SELECT') return true
  return Boolean(target.isContentEditable)
}

// A plain key: no Ctrl/Alt/Meta (Shift is allowed for capitals).
export function isPlainKey(e) {
  return !e.ctrlKey && !e.altKey && !e.metaKey
}

// The queue list's selection after a key: j/ArrowDown next, k/ArrowUp
// previous, g first, G last.  index -1 means nothing selected yet.
// Returns the new index, or null when the key is not a move.
export function moveSelection(index, length, key) {
  if (length <= 0) return null
  switch (key) {
    case 'j':
    case 'ArrowDown':
      return index < 0 ? 0 : Math.min(index + 1, length - 1)
    case 'k':
    case 'ArrowUp':
      return index < 0 ? 0 : Math.max(index - 1, 0)
    case 'g':
    case 'Home':
      return 0
    case 'G':
    case 'End':
      return length - 1
    default:
      return null
  }
}
