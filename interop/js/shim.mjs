// Promise.withResolvers (ES2024) for Node 20. The js-libp2p 3.x stack calls it at run time and
// Node only ships it from version 22. Import this module before anything from libp2p.
// Defined per the spec (NewPromiseCapability on the `this` value), and only when missing.

if (typeof Promise.withResolvers !== 'function') {
  Object.defineProperty(Promise, 'withResolvers', {
    value: function withResolvers () {
      // `new this(...)` throws a TypeError when `this` is not a constructor, as the spec requires.
      let resolve
      let reject
      const promise = new this((res, rej) => {
        resolve = res
        reject = rej
      })
      return { promise, resolve, reject }
    },
    writable: true,
    enumerable: false,
    configurable: true
  })
}
