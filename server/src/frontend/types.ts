// The contract between a front end and everything downstream.
import type { ApiIndex } from '../api/types';
import type { FileIR } from '../ir/types';
import type { SyntaxTree } from '../syntax/tree';

export interface LowerInput {
  file: string;       // workspace-relative or absolute path, used verbatim in sites and class names
  text: string;
  tree: SyntaxTree;
  api: ApiIndex;
}

export type Lowerer = (input: LowerInput) => FileIR;
