/**
 * Shipped definitions of the libvirt driver's image properties, with the values Nova accepts
 * (nova.objects.fields). Written for Imago; see standard-namespaces.ts for how they load.
 */
import type { NamespaceDocument } from './namespace-document.js';

const DISK_BUSES = ['virtio', 'scsi', 'ide', 'sata', 'usb', 'fdc', 'xen', 'lxc', 'uml'];

export const LIBVIRT_IMAGE: NamespaceDocument = {
  namespace: 'OS::Compute::LibvirtImage',
  display_name: 'libvirt driver options for images',
  description: 'How the libvirt compute driver builds the virtual machine for an image: the buses its disks, '
    + 'CD-ROM and input devices sit on, its network and graphics models, its machine type and guest agent.',
  resource_type_associations: [{ name: 'OS::Glance::Image' }],
  properties: {
    hw_disk_bus: { title: 'Disk bus', type: 'string', enum: DISK_BUSES, description: 'The bus the root and other disks are attached to. virtio is fastest; ide or sata suit guests without virtio drivers.' },
    hw_cdrom_bus: { title: 'CD-ROM bus', type: 'string', enum: DISK_BUSES, description: 'The bus the config drive or rescue CD-ROM is attached to (sata on q35 and aarch64 machines, which have no IDE).' },
    hw_floppy_bus: { title: 'Floppy bus', type: 'string', enum: DISK_BUSES, description: 'The bus a floppy device is attached to.' },
    hw_scsi_model: { title: 'SCSI controller model', type: 'string', enum: ['virtio-scsi', 'lsilogic', 'lsisas1068', 'lsisas1078', 'buslogic', 'ibmvscsi', 'vmpvscsi'], description: 'The SCSI controller, when hw_disk_bus is scsi. virtio-scsi supports discard and many disks.' },
    hw_vif_model: {
      title: 'Network interface model',
      type: 'string',
      enum: ['virtio', 'e1000', 'e1000e', 'igb', 'rtl8139', 'ne2k_pci', 'pcnet', 'netfront', 'spapr-vlan', 'lan9118', 'vmxnet', 'vmxnet3', 'VirtualE1000', 'VirtualE1000e', 'VirtualPCNet32', 'VirtualSriovEthernetCard', 'VirtualVmxnet', 'VirtualVmxnet3'],
      description: 'The emulated network card. virtio is fastest; e1000 works with most guests without extra drivers.',
    },
    hw_vif_multiqueue_enabled: { title: 'Multi-queue networking', type: 'boolean', description: 'Give virtio network interfaces one queue per vCPU, so network processing scales with the vCPUs.' },
    hw_video_model: { title: 'Video model', type: 'string', enum: ['virtio', 'qxl', 'vga', 'cirrus', 'vmvga', 'xen', 'gop', 'bochs', 'none'], description: 'The emulated graphics adapter; none leaves the guest without one.' },
    hw_video_ram: { title: 'Video RAM (MiB)', type: 'integer', minimum: 0, description: 'Video memory for the graphics adapter; the flavor\'s hw_video:ram_max_mb caps it.' },
    hw_pointer_model: { title: 'Pointer model', type: 'string', enum: ['usbtablet'], description: 'An absolute pointing device, so the console\'s mouse tracks the guest\'s.' },
    hw_input_bus: { title: 'Input bus', type: 'string', enum: ['usb', 'virtio'], description: 'The bus the keyboard and pointer are attached to.' },
    hw_rng_model: { title: 'Random number generator', type: 'string', enum: ['virtio'], description: 'Adds a paravirtual random number generator fed from the host (the flavor must allow it with hw_rng:allowed).' },
    hw_machine_type: { title: 'Machine type', type: 'string', pattern: '^[A-Za-z0-9][A-Za-z0-9._-]*$', description: 'The QEMU machine type, e.g. q35, pc or virt, or a versioned one such as pc-q35-8.2.' },
    hw_qemu_guest_agent: { title: 'QEMU guest agent', type: 'boolean', description: 'The image runs the QEMU guest agent, so snapshots can freeze its filesystems and passwords can be set.' },
    hw_serial_port_count: { title: 'Serial ports', type: 'integer', minimum: 0, description: 'How many serial ports the guest gets.' },
    hw_tpm_model: { title: 'TPM model', type: 'string', enum: ['tpm-tis', 'tpm-crb'], description: 'The emulated TPM interface (with hw_tpm_version).' },
    hw_tpm_version: { title: 'TPM version', type: 'string', enum: ['1.2', '2.0'], description: 'The emulated TPM\'s version; tpm-crb needs 2.0.' },
    os_command_line: { title: 'Kernel command line', type: 'string', maxLength: 255, description: 'Arguments for the kernel when it is booted directly (with kernel_id).' },
  },
};

export const LIBVIRT: NamespaceDocument = {
  namespace: 'OS::Compute::Libvirt',
  display_name: 'Firmware and boot',
  description: 'How the virtual machine boots: its firmware (UEFI or legacy BIOS) and whether the firmware\'s boot menu is shown.',
  resource_type_associations: [{ name: 'OS::Glance::Image', prefix: 'hw_' }],
  properties: {
    firmware_type: { title: 'Firmware', type: 'string', enum: ['uefi', 'bios'], description: 'uefi for images with an EFI system partition (required on aarch64), bios for legacy MBR boot.' },
    boot_menu: { title: 'Boot menu', type: 'boolean', description: 'Show the firmware\'s boot menu on the console at start.' },
  },
};
