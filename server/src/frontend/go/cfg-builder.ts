// Builds one function's control-flow graph. The builder keeps a "frontier": the nodes whose
// control falls through to whatever is emitted next. An empty frontier means the code being
// lowered is unreachable (after return, break, goto); nodes are still created for it so labels
// and goto targets inside it keep their edges.
import type { Node, Op, Span } from '../../ir/types';

/** A breakable statement (loop, switch, select) and, for loops, where `continue` goes. */
export interface Breakable {
  label?: string;
  breaks: number[];
  continueTo?: number;
}

export class CfgBuilder {
  readonly nodes: Node[] = [{ op: { kind: 'nop' }, succ: [] }];
  frontier: number[] = [0];
  readonly breakables: Breakable[] = [];
  private readonly labels = new Map<string, number>();
  private readonly gotos: { from: number[]; label: string }[] = [];

  /** A node not yet connected to anything. */
  detached(op: Op, span?: Span): number {
    const node: Node = { op, succ: [] };
    if (span) node.span = span;
    this.nodes.push(node);
    return this.nodes.length - 1;
  }

  link(from: readonly number[], to: number): void {
    for (const f of from) {
      const succ = this.nodes[f].succ;
      if (!succ.includes(to)) succ.push(to);
    }
  }

  /** Appends a node after the frontier; it becomes the new frontier. */
  add(op: Op, span?: Span): number {
    const id = this.detached(op, span);
    this.link(this.frontier, id);
    this.frontier = [id];
    return id;
  }

  /** A function exit after the frontier; nothing falls through it. */
  exit(kind: 'return' | 'panic', span?: Span, ret?: string): void {
    const id = this.add({ kind: 'nop' }, span);
    const node = this.nodes[id];
    node.exit = kind;
    if (ret !== undefined) node.ret = ret;
    this.frontier = [];
  }

  /** Joins the frontier into a fresh nop (loop headers, labels): control can then re-enter it. */
  join(): number {
    const id = this.detached({ kind: 'nop' });
    this.link(this.frontier, id);
    this.frontier = [id];
    return id;
  }

  label(name: string): number {
    let id = this.labels.get(name);
    if (id === undefined) {
      id = this.detached({ kind: 'nop' });
      this.labels.set(name, id);
    }
    this.link(this.frontier, id);
    this.frontier = [id];
    return id;
  }

  goto(name: string): void {
    this.gotos.push({ from: this.frontier, label: name });
    this.frontier = [];
  }

  /** `break` / `break L`: false when there is no such target (malformed code). */
  breakTo(label?: string): boolean {
    for (let i = this.breakables.length - 1; i >= 0; i--) {
      const b = this.breakables[i];
      if (label === undefined || b.label === label) {
        b.breaks.push(...this.frontier);
        this.frontier = [];
        return true;
      }
    }
    this.frontier = [];
    return false;
  }

  continueTo(label?: string): boolean {
    for (let i = this.breakables.length - 1; i >= 0; i--) {
      const b = this.breakables[i];
      if (b.continueTo === undefined) continue;
      if (label === undefined || b.label === label) {
        this.link(this.frontier, b.continueTo);
        this.frontier = [];
        return true;
      }
    }
    this.frontier = [];
    return false;
  }

  /** Resolves gotos once every label has been seen. Unknown labels lose their edge. */
  finish(): Node[] {
    for (const g of this.gotos) {
      const target = this.labels.get(g.label);
      if (target !== undefined) this.link(g.from, target);
    }
    return this.nodes;
  }
}
