import { type MigrationInterface, type QueryRunner } from 'typeorm';

/** Every signed Meta webhook delivery as received (kept with the inbox, 7 days). */
export class WebhookDeliveries1796211988287 implements MigrationInterface {
  name = 'WebhookDeliveries1796211988287';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "call_control"."meta_webhook_deliveries" ("id" bigint GENERATED ALWAYS AS IDENTITY NOT NULL, "raw_body" text NOT NULL, "signature" text NOT NULL, "unparsed" integer NOT NULL DEFAULT '0', "received_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_13148b53cbf0dc87eba2a6f5ecd" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "meta_webhook_deliveries_received_idx" ON "call_control"."meta_webhook_deliveries" ("received_at") `,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX "call_control"."meta_webhook_deliveries_received_idx"`);
    await queryRunner.query(`DROP TABLE "call_control"."meta_webhook_deliveries"`);
  }
}
