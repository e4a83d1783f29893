import { type MigrationInterface, type QueryRunner } from 'typeorm';

export class Initial1795259994143 implements MigrationInterface {
  name = 'Initial1795259994143';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "media"."media_sessions" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "call_sid" character(34) NOT NULL, "instance_id" character varying(128) NOT NULL, "router_id" uuid, "state" character varying(16) NOT NULL DEFAULT 'open', "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "closed_at" TIMESTAMP WITH TIME ZONE, CONSTRAINT "media_sessions_state_check" CHECK ("state" IN ('open', 'closed')), CONSTRAINT "PK_3af09c8d277d8368012576dd2dc" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "media_sessions_call_sid_idx" ON "media"."media_sessions" ("call_sid") `,
    );
    await queryRunner.query(
      `CREATE INDEX "media_sessions_instance_id_idx" ON "media"."media_sessions" ("instance_id") `,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX "media"."media_sessions_instance_id_idx"`);
    await queryRunner.query(`DROP INDEX "media"."media_sessions_call_sid_idx"`);
    await queryRunner.query(`DROP TABLE "media"."media_sessions"`);
  }
}
