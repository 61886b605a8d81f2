// cdk-nag's AwsSolutions pack over a synthesized app, and the acknowledgments
// (suppressions) found in its construct tree, so tests can demand both zero
// unacknowledged findings and a written reason for every acknowledgment.
import { Validations, type App } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';

export function nagFindings(app: App): string[] {
  const report = new AwsSolutionsChecks(app).validateScope(app);
  return report.violations.flatMap((v) => v.violatingResources.map((r) => `${v.ruleName} at ${(r as { constructPath?: string }).constructPath ?? r.resourceLogicalId}`));
}

export function acknowledgments(app: App): { path: string; id: string; reason: string }[] {
  const out: { path: string; id: string; reason: string }[] = [];
  for (const c of app.node.findAll()) {
    for (const m of c.node.metadata) {
      if (m.type !== Validations.ACKNOWLEDGED_RULES_METADATA_KEY) continue;
      // Data is { "<Plugin>::<rule id>": reason }; CDK's own CloudFormation-Validate entries are not ours.
      for (const [id, reason] of Object.entries(m.data as Record<string, string>)) {
        if (id.startsWith('CloudFormation-Validate::')) continue;
        out.push({ path: c.node.path, id, reason });
      }
    }
  }
  return out;
}
