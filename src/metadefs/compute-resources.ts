/**
 * Shipped definitions of the CPU, memory, watchdog and random number generator settings that
 * images (prefix hw_) and flavors (prefix hw:) share, with the values Nova accepts.
 */
import type { NamespaceDocument } from './namespace-document.js';

const IMAGE_AND_FLAVOR = [{ name: 'OS::Glance::Image', prefix: 'hw_' }, { name: 'OS::Nova::Flavor', prefix: 'hw:' }];
const count = (title: string, description: string) => ({ title, type: 'integer' as const, minimum: 1, description });

export const CPU_TOPOLOGY: NamespaceDocument = {
  namespace: 'OS::Compute::VirtCPUTopology',
  display_name: 'Virtual CPU topology',
  description: 'How the vCPUs are presented to the guest as sockets, cores and threads. Some guests (Windows desktop '
    + 'editions among them) use only a few sockets, so more cores per socket let them use every vCPU. The max_ '
    + 'values bound what an image or flavor may ask for.',
  resource_type_associations: IMAGE_AND_FLAVOR,
  properties: {
    cpu_sockets: count('Sockets', 'Preferred number of sockets.'),
    cpu_cores: count('Cores per socket', 'Preferred number of cores per socket.'),
    cpu_threads: count('Threads per core', 'Preferred number of threads per core.'),
    cpu_max_sockets: count('Most sockets', 'The largest number of sockets allowed.'),
    cpu_max_cores: count('Most cores per socket', 'The largest number of cores per socket allowed.'),
    cpu_max_threads: count('Most threads per core', 'The largest number of threads per core allowed.'),
  },
};

export const CPU_PINNING: NamespaceDocument = {
  namespace: 'OS::Compute::CPUPinning',
  display_name: 'CPU pinning',
  description: 'Whether vCPUs get host CPUs of their own (dedicated) or float over shared ones, and how dedicated vCPUs treat sibling hardware threads.',
  resource_type_associations: IMAGE_AND_FLAVOR,
  properties: {
    cpu_policy: { title: 'CPU policy', type: 'string', enum: ['shared', 'dedicated', 'mixed'], description: 'shared: vCPUs float over the host\'s shared CPUs; dedicated: each vCPU is pinned to a host CPU; mixed: some of each.' },
    cpu_thread_policy: { title: 'CPU thread policy', type: 'string', enum: ['prefer', 'isolate', 'require'], description: 'For dedicated vCPUs: prefer sibling threads, isolate from them, or require hosts with them.' },
  },
};

export const MEMORY_BACKING: NamespaceDocument = {
  namespace: 'OS::Compute::GuestMemoryBacking',
  display_name: 'Guest memory backing',
  description: 'The page size that backs guest memory: large pages cut TLB misses for memory-heavy workloads such as databases and packet processing.',
  resource_type_associations: IMAGE_AND_FLAVOR,
  properties: {
    mem_page_size: {
      title: 'Memory page size',
      type: 'string',
      pattern: '^(small|large|any|[0-9]+ *([KkMmGgTt][Ii]?[Bb]?)?)$',
      description: 'small (the host\'s base pages), large (any huge page size), any, or a size such as 2048 (KiB), 2MB or 1GB.',
    },
  },
};

export const WATCHDOG: NamespaceDocument = {
  namespace: 'OS::Compute::Watchdog',
  display_name: 'Watchdog',
  description: 'An emulated hardware watchdog: when the guest stops resetting it, the hypervisor acts on the server.',
  resource_type_associations: IMAGE_AND_FLAVOR,
  properties: {
    watchdog_action: {
      title: 'Watchdog action',
      type: 'string',
      enum: ['disabled', 'reset', 'poweroff', 'pause', 'none'],
      description: 'What happens when the guest hangs: reset or power off the server, pause it, do nothing (none, the device is still there), or no watchdog device at all (disabled).',
    },
  },
};

export const RANDOM_NUMBER_GENERATOR: NamespaceDocument = {
  namespace: 'OS::Compute::RandomNumberGenerator',
  display_name: 'Random number generator',
  description: 'Whether servers of a flavor may have a paravirtual random number generator (an image asks for one with hw_rng_model=virtio), and how much entropy it may draw from the host.',
  resource_type_associations: [{ name: 'OS::Nova::Flavor' }],
  properties: {
    'hw_rng:allowed': { title: 'Allowed', type: 'boolean', description: 'Images may ask for a random number generator on this flavor.' },
    'hw_rng:rate_bytes': { title: 'Bytes per period', type: 'integer', minimum: 0, description: 'Most bytes of entropy the guest may read per period (0: no limit).' },
    'hw_rng:rate_period': { title: 'Period (ms)', type: 'integer', minimum: 0, description: 'The period over which rate_bytes is counted, in milliseconds.' },
  },
};
