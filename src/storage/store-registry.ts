/**
 * The stores an Imago runs with, by name. New data goes to the default store; existing data
 * is read from whichever store its location names, so stores can be added without moving
 * anything.
 */
import { NotFoundError } from '../domain/errors.js';
import type { ImageLocation } from '../domain/image.js';
import type { StorageDriver } from './driver.js';

export class StoreRegistry {
  private readonly byName: ReadonlyMap<string, StorageDriver>;

  constructor(readonly defaultStore: StorageDriver, others: readonly StorageDriver[] = []) {
    this.byName = new Map([defaultStore, ...others].map((driver) => [driver.name, driver]));
  }

  get(name: string): StorageDriver {
    const driver = this.byName.get(name);
    if (!driver) throw new NotFoundError(`Unknown store ${name}`, { reason: 'store.unknown' });
    return driver;
  }

  all(): StorageDriver[] {
    return [...this.byName.values()];
  }

  async remove(location: ImageLocation): Promise<void> {
    await this.get(location.store).delete(location.key);
  }
}
