import type { DirectoryObject } from '../directory/directory.types';
import { shareAnswer } from '../common/http/shared-answers';
import type { DelegationView } from './delegation.types';

/** However many reads share a view, it is built again after this long (names and classes refresh). */
export const KEPT_VIEW_MAX_AGE_MS = 1_000;

interface KeptView {
  rbcd: Buffer | null | undefined;
  view: Promise<DelegationView>;
  builtAt: number;
}

/**
 * A target's view, built once per directory answer. The directory hands every read that gets a kept
 * answer (the DC committed nothing to the target since; see DcStampedCache) the very same value
 * Buffers, and a changed target comes back in a new search, with new Buffers. So a view is kept for
 * the target's descriptor and RBCD value Buffers (the very objects): a read that starts after a
 * write never gets a view built before it. Views are shared answers (frozen, serialized once);
 * reads of one answer that arrive together wait for the same build; a view is built again after
 * KEPT_VIEW_MAX_AGE_MS, so its names and writer classes are never older than that beyond what the
 * directory's own caches keep. A build that fails is not kept.
 */
export class KeptViews {
  private readonly views = new WeakMap<Buffer, KeptView>();

  constructor(
    private readonly maxAgeMs = KEPT_VIEW_MAX_AGE_MS,
    private readonly now: () => number = Date.now,
  ) {}

  /** The view of this very answer: the kept one, or `build`'s (kept when the answer can be told apart). */
  viewOf(target: DirectoryObject, build: () => Promise<DelegationView>): Promise<DelegationView> {
    const key = keyOf(target);
    if (!key) return build();
    const kept = this.views.get(key);
    // Both values must be the very ones the view was built from (they always come together from
    // the directory; a stand-in directory might change one alone).
    if (kept && kept.rbcd === target.rbcd && this.now() - kept.builtAt <= this.maxAgeMs) return kept.view;
    const entry: KeptView = { rbcd: target.rbcd, view: build().then(shareAnswer), builtAt: this.now() };
    this.views.set(key, entry);
    entry.view.catch(() => {
      if (this.views.get(key) === entry) this.views.delete(key);
    });
    return entry.view;
  }
}

/** The Buffer that identifies one directory answer for a target (none: the view is not kept). */
function keyOf(target: DirectoryObject): Buffer | undefined {
  if (Buffer.isBuffer(target.securityDescriptor)) return target.securityDescriptor;
  if (Buffer.isBuffer(target.rbcd)) return target.rbcd;
  return undefined;
}
