import type { Finding } from '../core/finding';
import { fingerprint, lineOf, lockName, viaText } from '../core/describe';
import { isOwnReadSection } from './blocking-under-lock';
import type { Check, ProgramFacts } from './types';

export const syncInReadSection: Check = {
  meta: {
    id: 'sync-in-read-section',
    doc: `a synchronize waits for readers from inside a read-side section of the same domain

synchronize_rcu() waits until every reader has left its read-side section; called from inside one
(rcu_read_lock() … or ebpf_epoch_enter() …) it waits for its own caller, which never leaves.`,
    defaultSeverity: 'error',
    docPath: 'docs/checks/sync-in-read-section.md',
  },
  run(program: ProgramFacts): Finding[] {
    const findings: Finding[] = [];
    for (const facts of program.functions) {
      const fn = facts.fn;
      for (const block of facts.blocks) {
        const section = block.held.find((h) => isOwnReadSection(block, h));
        if (!section) continue;
        findings.push({
          check: 'sync-in-read-section',
          severity: 'error',
          message: `\`${block.api}()\`${viaText(block.via)} waits for every reader of ${lockName(section.lock.text)} to leave its read-side section, but it is called inside one (entered at line ${lineOf(section.site)} with ${section.api}()): it waits for itself and never returns.`,
          file: fn.file,
          span: block.span,
          related: [
            { file: fn.file, span: section.site, message: `read-side section entered here (${section.api})` },
            ...(block.via ?? []).map((s) => ({ file: s.file, span: s.span, message: `call to ${s.callee}()` })),
          ],
          explanation: [
            `In ${fn.name}():`,
            `  ${section.api}()   line ${lineOf(section.site)}   (reader: grace period cannot end until exit)`,
            `  ${block.api}()${viaText(block.via)}   line ${lineOf(block.span)} <- waits for the grace period`,
            '',
            ' *** DEADLOCK: the synchronize waits for the section it is called from ***',
            'Fix: leave the read-side section before synchronizing, or defer the reclamation (call_rcu, epoch free).',
          ].join('\n'),
          fingerprint: fingerprint('sync-in-read-section', fn.qualifiedName, block.api),
        });
      }
    }
    return findings;
  },
};
