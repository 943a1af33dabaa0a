/**
 * A typed event bus. Event names follow `owner:event`. A listener that throws
 * never breaks the emitter or the other listeners; the failure goes to onError.
 */
export type Listener<T> = (payload: T) => void;

export class EventBus<Events extends { [K in keyof Events]: unknown }> {
  readonly #listeners = new Map<keyof Events, Set<Listener<never>>>();
  readonly #onError: (err: unknown, event: keyof Events) => void;

  constructor(onError: (err: unknown, event: keyof Events) => void = () => {}) {
    this.#onError = onError;
  }

  on<K extends keyof Events>(event: K, listener: Listener<Events[K]>): () => void {
    let set = this.#listeners.get(event);
    if (!set) {
      set = new Set();
      this.#listeners.set(event, set);
    }
    set.add(listener as Listener<never>);
    return () => set.delete(listener as Listener<never>);
  }

  emit<K extends keyof Events>(event: K, payload: Events[K]): void {
    const set = this.#listeners.get(event);
    if (!set) return;
    for (const listener of set) {
      try {
        (listener as Listener<Events[K]>)(payload);
      } catch (err) {
        this.#onError(err, event);
      }
    }
  }
}
