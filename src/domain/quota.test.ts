import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { BadRequestError, PayloadTooLargeError } from './errors.js';
import {
  checkImageCreate, checkStage, checkUploadStart, MIB, parseLimits, remainingBytes, reportedUsage, UNLIMITED,
  type ProjectUsage, type QuotaLimits,
} from './quota.js';

const unlimited: QuotaLimits = { image_size_total: UNLIMITED, image_stage_total: UNLIMITED, image_count_total: UNLIMITED, image_count_uploading: UNLIMITED };
const usage = (over: Partial<ProjectUsage> = {}): ProjectUsage => ({ imageCount: 0, imageBytes: 0, uploadingCount: 1, stagedBytes: 0, ...over });

function refusedWith(name: string): (err: unknown) => boolean {
  return (err) => err instanceof PayloadTooLargeError && err.reason === `quota.${name}` && err.message.includes(name);
}

describe('quota rules', () => {
  it('reports sizes in whole MiB, rounded down as Glance does', () => {
    assert.deepEqual(reportedUsage({ imageCount: 3, imageBytes: 2 * MIB - 1, uploadingCount: 1, stagedBytes: MIB }), {
      image_size_total: 1, image_stage_total: 1, image_count_total: 3, image_count_uploading: 1,
    });
  });

  it('lets image_count_total images exist, and refuses the next one', () => {
    const limits = { ...unlimited, image_count_total: 2 };
    checkImageCreate('p', limits, { imageCount: 1 });
    assert.throws(() => checkImageCreate('p', limits, { imageCount: 2 }), refusedWith('image_count_total'));
    checkImageCreate('p', unlimited, { imageCount: 10 ** 9 });
    assert.throws(() => checkImageCreate('p', { ...unlimited, image_count_total: 0 }, { imageCount: 0 }), refusedWith('image_count_total'));
  });

  it('counts the starting upload itself against image_count_uploading', () => {
    const limits = { ...unlimited, image_count_uploading: 2 };
    assert.equal(checkUploadStart('p', limits, usage({ uploadingCount: 2 })), Infinity);
    assert.throws(() => checkUploadStart('p', limits, usage({ uploadingCount: 3 })), refusedWith('image_count_uploading'));
  });

  it('grants what is left of image_size_total, and refuses when nothing is left or the declared size does not fit', () => {
    const limits = { ...unlimited, image_size_total: 10 };
    assert.equal(checkUploadStart('p', limits, usage({ imageBytes: 4 * MIB })), 6 * MIB);
    assert.equal(checkUploadStart('p', limits, usage({ imageBytes: 4 * MIB }), 6 * MIB), 6 * MIB);
    assert.throws(() => checkUploadStart('p', limits, usage({ imageBytes: 4 * MIB }), 6 * MIB + 1), refusedWith('image_size_total'));
    assert.throws(() => checkUploadStart('p', limits, usage({ imageBytes: 10 * MIB })), refusedWith('image_size_total'));
    // Over the limit already (it was lowered, or uploads overshot together): nothing left, not a negative budget.
    assert.equal(remainingBytes(10, 11 * MIB), 0);
    assert.equal(remainingBytes(UNLIMITED, 11 * MIB), Infinity);
  });

  it('checks staging against image_stage_total', () => {
    checkStage('p', { ...unlimited, image_stage_total: 1 }, { stagedBytes: 0 }, MIB);
    assert.throws(() => checkStage('p', { ...unlimited, image_stage_total: 1 }, { stagedBytes: 1 }, MIB), refusedWith('image_stage_total'));
  });

  it('accepts known names with whole numbers from -1, and names every problem in one 400', () => {
    assert.deepEqual(parseLimits({ image_count_total: 5, image_size_total: -1 }), { image_count_total: 5, image_size_total: -1 });
    for (const bad of [null, [], 'x', {}, { image_count_total: -2 }, { image_count_total: 1.5 }, { image_count_total: '5' },
      { image_size_total: 2 ** 40 }, { images: 5 }]) {
      assert.throws(() => parseLimits(bad), BadRequestError, JSON.stringify(bad));
    }
    assert.throws(() => parseLimits({ nope: 1, image_count_total: -5 }), /unknown quota "nope".*image_count_total must be/);
  });
});
