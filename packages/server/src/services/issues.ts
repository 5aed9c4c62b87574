/** The issue catalogue as the service offers it: the model library's, every code with its texts. */
import { ISSUE_CATALOGUE } from '@dosetwin/models';
import type { IssueInfo } from '../contract/index.ts';

export function issueCatalogue(): IssueInfo[] {
  return ISSUE_CATALOGUE.map((e) => ({ ...e, raisedIn: [...e.raisedIn] }));
}
