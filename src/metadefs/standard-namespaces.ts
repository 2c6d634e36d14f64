/**
 * The namespaces Imago ships and loads into the catalog on first start
 * (services/metadef-seed.service.ts): the common OpenStack image and flavor properties, so
 * clients (Horizon, the CLI) can offer them and Imago can check their values. Each is public
 * and protected, owned by `admin`, and only warns about values it does not allow.
 */
import { CPU_PINNING, CPU_TOPOLOGY, MEMORY_BACKING, RANDOM_NUMBER_GENERATOR, WATCHDOG } from './compute-resources.js';
import { LIBVIRT, LIBVIRT_IMAGE } from './compute-libvirt.js';
import type { NamespaceDocument } from './namespace-document.js';
import { COMMON_IMAGE_PROPERTIES, HYPERVISOR, INSTANCE_DATA, OPERATING_SYSTEM } from './platform.js';

export const STANDARD_NAMESPACES: readonly NamespaceDocument[] = [
  COMMON_IMAGE_PROPERTIES,
  OPERATING_SYSTEM,
  HYPERVISOR,
  LIBVIRT,
  LIBVIRT_IMAGE,
  CPU_TOPOLOGY,
  CPU_PINNING,
  MEMORY_BACKING,
  WATCHDOG,
  RANDOM_NUMBER_GENERATOR,
  INSTANCE_DATA,
];

export const STANDARD_OWNER = 'admin';

