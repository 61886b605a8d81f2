// The cross-sender campaign index (core/reputation/ports.ts) in the single
// table: one item per (content key, member) in the key's partition, with the
// time it was last seen and a TTL of the window. `note` writes its member,
// then reads the partition consistently, so two workers noting the same key
// at once each see the other afterwards.
import { PutCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { CampaignIndex, CampaignMember } from '../../../core/reputation/ports.js';
import { TTL_ATTRIBUTE } from './layout.js';
import { queryAll } from './query.js';

export class DynamoCampaignIndex implements CampaignIndex {
  constructor(private readonly db: DynamoDBDocumentClient, private readonly table: string) {}

  async note(key: string, member: CampaignMember, at: Date, windowSeconds: number): Promise<CampaignMember[]> {
    const pk = `CAMPAIGN#${key}`;
    const now = at.getTime();
    await this.db.send(new PutCommand({
      TableName: this.table,
      Item: {
        pk, sk: `M#${member.tenantId}#${member.sender}`, tenantId: member.tenantId, sender: member.sender, at: now,
        [TTL_ATTRIBUTE]: Math.ceil(now / 1000) + windowSeconds, entity: 'campaign-member',
      },
    }));
    const items = await queryAll(this.db, {
      TableName: this.table, KeyConditionExpression: 'pk = :p', ExpressionAttributeValues: { ':p': pk }, ConsistentRead: true,
    }, 50);
    // TTL deletion lags; the window is applied here, as the memory index does.
    return items
      .filter((i) => Number(i.at) > now - windowSeconds * 1000)
      .map((i) => ({ tenantId: String(i.tenantId), sender: String(i.sender) }));
  }
}
