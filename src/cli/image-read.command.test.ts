import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { encodeListQuery } from '../client/list-query.js';
import { parseCommandArgs } from './args.js';
import { imageListCommand, listQuery } from './image-read.command.js';

const query = (argv: string[]) => listQuery(parseCommandArgs(argv, imageListCommand.options).values);

describe('image list options', () => {
  it('become Glance filters, tags repeated and properties as plain parameters', () => {
    const q = query([
      '--name', 'deb', '--status', 'in:active,queued', '--visibility', 'all', '--owner', 'p', '--tag', 'a', '--tag', 'b',
      '--property', 'os_distro=debian', '--sort', 'name:asc', '--limit', '5', '--all',
    ]);
    assert.equal(encodeListQuery(q),
      '?os_distro=debian&name=deb&status=in%3Aactive%2Cqueued&visibility=all&owner=p&sort=name%3Aasc&tag=a&tag=b&limit=5');
  });

  it('send nothing when no filter is given', () => {
    assert.equal(encodeListQuery(query([])), '');
  });
});

describe('image list catalog options', () => {
  it('become imago_* filters, the disk options included', () => {
    const q = query(['--kind', 'standard', '--disk-role', 'data', '--disk-bus', 'in:scsi,nvme', '--disk-format', 'raw']);
    assert.equal(encodeListQuery(q), '?imago_kind=standard&imago_disk_role=data&imago_disk_bus=in%3Ascsi%2Cnvme&imago_disk_format=raw');
  });
});
