/**
 * Shipped definitions of what an image is and runs: hypervisor and architecture, operating
 * system, instance data, and the properties most images carry. Values follow what Nova
 * accepts (nova.objects.fields) where it checks them.
 */
import type { NamespaceDocument } from './namespace-document.js';

const IMAGE = [{ name: 'OS::Glance::Image' }];
const UUID_PATTERN = '^[0-9a-fA-F]{8}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{12}$';

/** CPU architectures Nova schedules by, as the architecture property names them. */
export const ARCHITECTURES = [
  'x86_64', 'i686', 'aarch64', 'armv7l', 'armv7b', 'armv6', 'ppc64le', 'ppc64', 'ppc', 'ppcle', 'ppcemb', 's390x', 's390',
  'riscv64', 'mips', 'mipsel', 'mips64', 'mips64el', 'sparc', 'sparc64', 'alpha', 'ia64', 'parisc', 'parisc64', 'sh4',
  'sh4eb', 'cris', 'lm32', 'm68k', 'microblaze', 'microblazeel', 'openrisc', 'unicore32', 'xtensa', 'xtensaeb',
];

const OS_DISTRO = {
  title: 'OS distribution',
  type: 'string' as const,
  pattern: '^[a-z][a-z0-9._-]*$',
  description: 'The distribution, in lower case as libosinfo and Nova expect: e.g. ubuntu, debian, fedora, centos, rhel, rocky, almalinux, opensuse, sles, arch, freebsd, windows.',
};
const OS_VERSION = { title: 'OS version', type: 'string' as const, maxLength: 255, description: 'The distribution\'s version, e.g. 24.04, 12 or 2022.' };

export const HYPERVISOR: NamespaceDocument = {
  namespace: 'OS::Compute::Hypervisor',
  display_name: 'Hypervisor',
  description: 'The hypervisor and virtualisation mode an image needs; the scheduler only places it on matching hosts.',
  resource_type_associations: IMAGE,
  properties: {
    hypervisor_type: {
      title: 'Hypervisor type',
      type: 'string',
      enum: ['qemu', 'kvm', 'lxc', 'xen', 'hyperv', 'vmware', 'ironic', 'baremetal', 'zvm', 'powervm', 'parallels', 'virtuozzo', 'uml', 'bhyve', 'vbox', 'lxd', 'docker', 'openvz', 'phyp', 'kqemu', 'tcg', 'fake', 'test'],
      description: 'The hypervisor the image runs on (qemu covers kvm hosts too).',
    },
    vm_mode: { title: 'Virtualisation mode', type: 'string', enum: ['hvm', 'xen', 'uml', 'exe'], description: 'hvm: full virtualisation; xen: Xen paravirtualisation; uml: User Mode Linux; exe: containers.' },
  },
};

export const OPERATING_SYSTEM: NamespaceDocument = {
  namespace: 'OS::OperatingSystem',
  display_name: 'Operating system',
  description: 'The operating system in the image: the compute service tunes the virtual hardware to it, and people find images by it.',
  resource_type_associations: [...IMAGE, { name: 'OS::Cinder::Volume', properties_target: 'image' }],
  properties: {
    os_distro: OS_DISTRO,
    os_version: OS_VERSION,
    os_type: { title: 'OS type', type: 'string', enum: ['linux', 'windows'], description: 'The family: windows changes the clock and hyper-v enlightenments Nova gives the guest.' },
    os_admin_user: { title: 'Administrator user', type: 'string', maxLength: 255, description: 'The account a password set through the API applies to (default root, or Administrator on Windows).' },
  },
};

export const INSTANCE_DATA: NamespaceDocument = {
  namespace: 'OS::Compute::InstanceData',
  display_name: 'Instance data',
  description: 'How a server gets its metadata and user data at first boot, and whether it needs quiescing for snapshots.',
  resource_type_associations: IMAGE,
  properties: {
    img_config_drive: { title: 'Config drive', type: 'string', enum: ['optional', 'mandatory'], description: 'mandatory: servers always get a config drive (for images without a metadata service route).' },
    os_require_quiesce: { title: 'Require quiesce', type: 'boolean', description: 'Snapshots fail unless the guest agent can freeze the filesystems first.' },
  },
};

export const COMMON_IMAGE_PROPERTIES: NamespaceDocument = {
  namespace: 'OS::Glance::CommonImageProperties',
  display_name: 'Common image properties',
  description: 'Properties most images carry: where the image came from, what it boots with and what it runs on.',
  resource_type_associations: IMAGE,
  properties: {
    architecture: { title: 'Architecture', type: 'string', enum: ARCHITECTURES, description: 'The CPU architecture the image needs; the scheduler only places it on such hosts.' },
    kernel_id: { title: 'Kernel image', type: 'string', pattern: UUID_PATTERN, description: 'The id of the image to boot as the kernel (AMI-style images).' },
    ramdisk_id: { title: 'Ramdisk image', type: 'string', pattern: UUID_PATTERN, description: 'The id of the image to use as the initial ramdisk (AMI-style images).' },
    instance_uuid: { title: 'Source server', type: 'string', pattern: UUID_PATTERN, description: 'For a snapshot: the server it was taken from.' },
    os_distro: OS_DISTRO,
    os_version: OS_VERSION,
    description: { title: 'Description', type: 'string', maxLength: 4096, description: 'What the image is, for people choosing one.' },
  },
};
