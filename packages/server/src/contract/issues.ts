/**
 * The issue catalogue as the service offers it: every code an issue may carry (`DT_*`), with the
 * severity it is raised with, its area, the packages that raise it, and a title, its meaning and
 * the action to take in English and French (the model library's catalogue, unchanged), so that the
 * web app and integrators can show any issue by its code.
 */
import { ISSUE_AREAS, ISSUE_PACKAGES, type IssueEntry } from '@dosetwin/models';
import { type Static, Type } from 'typebox';
import { type Assert, type Same } from './common.ts';

const text = (description: string) => Type.Object({ en: Type.String(), fr: Type.String() }, { description });

export const IssueInfo = Type.Object(
  {
    code: Type.TemplateLiteral('DT_${string}', {
      description: "the code, e.g. 'DT_SAMPLE_BLQ'; one ending in '_*' covers the codes with that prefix",
    }),
    severity: Type.Union([Type.Literal('error'), Type.Literal('warning'), Type.Literal('both')], {
      description: "the severity the code is raised with; 'both' when raised as either",
    }),
    area: Type.Enum(ISSUE_AREAS),
    raisedIn: Type.Array(Type.Enum(ISSUE_PACKAGES), { description: 'the packages that raise it' }),
    title: text('a few words'),
    meaning: text('what happened, in a sentence'),
    action: text('what the user does about it'),
  },
  { description: 'one code of the issue catalogue' },
);
export type IssueInfo = Static<typeof IssueInfo>;
export type _IssueInfoIsTheCatalogues = Assert<Same<IssueInfo, IssueEntry>>;
export const IssueCatalogue = Type.Array(IssueInfo, { description: 'every issue code, with its texts' });
