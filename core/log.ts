// Problems core handles and carries on past (a webhook that failed, mail that
// could not be held, an outcome that could not be recorded) are reported
// through this port with a stable code (docs/ERRORS.md): the local runner
// writes them to its log, the Lambdas to Powertools. Where nothing is wired
// (unit tests, the simulation) they go to stderr as JSON lines, so a
// problem is never silent.

export interface ProblemLog {
  problem(code: string, fields: Record<string, unknown>): void;
}

export const stderrProblemLog: ProblemLog = {
  problem(code, fields) {
    console.error(JSON.stringify({ code, ...fields }));
  },
};

/** The deps' log, or stderr. */
export const problemLogOf = (deps: { log?: ProblemLog }): ProblemLog => deps.log ?? stderrProblemLog;
