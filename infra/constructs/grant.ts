import { PolicyStatement, type Role } from 'aws-cdk-lib/aws-iam';

/** One Allow statement on a function's own role: named (sid), exact actions and resources. */
export function allow(
  role: Role,
  sid: string,
  actions: string[],
  resources: string[],
  conditions?: Record<string, unknown>,
): void {
  role.addToPrincipalPolicy(
    new PolicyStatement({ sid, actions, resources, ...(conditions ? { conditions } : {}) }),
  );
}

/** The condition that limits DynamoDB access to items whose partition key matches `keys` (`lock#*`). */
export function onItemKeys(keys: string): Record<string, unknown> {
  return { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': [keys] } };
}
