/**
 * An in-memory STATE_TABLE behind aws-sdk-client-mock: PutItem, GetItem and DeleteItem with
 * the condition expressions the run lock uses, evaluated atomically per call (as DynamoDB
 * does), so concurrent callers really race for the same item.
 */
import {
  type AttributeValue,
  ConditionalCheckFailedException,
  DeleteItemCommand,
  type DeleteItemCommandInput,
  GetItemCommand,
  type GetItemCommandInput,
  PutItemCommand,
  type PutItemCommandInput,
} from '@aws-sdk/client-dynamodb';
import type { AwsStub } from 'aws-sdk-client-mock';

type Item = Record<string, AttributeValue>;

export class FakeStateTable {
  readonly items = new Map<string, Item>();

  /** Answers the stub's PutItem / GetItem / DeleteItem from this table. */
  // biome-ignore lint/suspicious/noExplicitAny: the stub's client types are not needed here
  attach(stub: AwsStub<any, any, any>): this {
    stub.on(PutItemCommand).callsFake((input: PutItemCommandInput) => this.put(input));
    stub.on(GetItemCommand).callsFake((input: GetItemCommandInput) => this.get(input));
    stub.on(DeleteItemCommand).callsFake((input: DeleteItemCommandInput) => this.delete(input));
    return this;
  }

  async put(input: PutItemCommandInput): Promise<object> {
    await tick();
    const item = input.Item ?? {};
    const pk = item.pk?.S ?? '';
    this.check(this.items.get(pk), input.ConditionExpression, input.ExpressionAttributeValues);
    this.items.set(pk, { ...item });
    return {};
  }

  async get(input: GetItemCommandInput): Promise<object> {
    await tick();
    const item = this.items.get(input.Key?.pk?.S ?? '');
    return item ? { Item: { ...item } } : {};
  }

  async delete(input: DeleteItemCommandInput): Promise<object> {
    await tick();
    const pk = input.Key?.pk?.S ?? '';
    this.check(this.items.get(pk), input.ConditionExpression, input.ExpressionAttributeValues);
    this.items.delete(pk);
    return {};
  }

  check(item: Item | undefined, condition: string | undefined, values: Item = {}): void {
    if (condition === undefined) return;
    const ok = condition.split(' OR ').some((clause) => holds(item, clause.trim(), values));
    if (!ok) {
      throw new ConditionalCheckFailedException({
        message: 'The conditional request failed',
        $metadata: {},
      });
    }
  }
}

function holds(item: Item | undefined, clause: string, values: Item): boolean {
  if (clause === 'attribute_not_exists(pk)') return item === undefined;
  const lessThan = /^(\w+) < (:\w+)$/.exec(clause);
  if (lessThan) {
    const [, name = '', value = ''] = lessThan;
    const left = item?.[name]?.N;
    return left !== undefined && Number(left) < Number(values[value]?.N);
  }
  const equals = /^(\w+) = (:\w+)$/.exec(clause);
  if (equals) {
    const [, name = '', value = ''] = equals;
    return item !== undefined && item[name]?.S === values[value]?.S;
  }
  throw new Error(`fake table: condition clause '${clause}' is not understood`);
}

/** Lets other pending calls interleave, like round trips to DynamoDB. */
function tick(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
