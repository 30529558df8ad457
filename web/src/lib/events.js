// A tiny event emitter (session expiry travels from the API client to the app).
export function createEmitter() {
  const handlers = new Map()
  return {
    on(name, fn) {
      if (!handlers.has(name)) handlers.set(name, new Set())
      handlers.get(name).add(fn)
      return () => handlers.get(name)?.delete(fn)
    },
    emit(name, ...args) {
      for (const fn of [...(handlers.get(name) || [])]) fn(...args)
    }
  }
}

export const sessionEvents = createEmitter()
