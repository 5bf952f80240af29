// The registry of checks. Adding a check: write its module, add it here, add fixtures and a doc page.
import { blockingUnderLock } from './blocking-under-lock';
import { doubleLock } from './double-lock';
import { leakedLock } from './leaked-lock';
import { lockOrder } from './lock-order';
import { syncInReadSection } from './sync-in-read-section';
import { unlockNotHeld } from './unlock-not-held';
import { waitUnderLock } from './wait-under-lock';
import { rwmutexRecursiveRead } from './rwmutex-recursive-read';
import { irqUnsafe } from './irq-unsafe';
import { sharedHandleTxn } from './shared-handle-txn';
import { missingRequiredLock } from './missing-required-lock';
import { annotationMismatch } from './annotation-mismatch';
import { unguardedAccess } from './unguarded-access';
import type { Check } from './types';

export const ALL_CHECKS: readonly Check[] = [
  lockOrder, doubleLock, leakedLock, unlockNotHeld, blockingUnderLock, syncInReadSection,
  waitUnderLock,
  rwmutexRecursiveRead,
  irqUnsafe,
  sharedHandleTxn,
  missingRequiredLock,
  annotationMismatch,
  unguardedAccess,
];

export const CHECK_IDS: readonly string[] = ALL_CHECKS.map((c) => c.meta.id);
