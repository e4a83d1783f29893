import { type MigrationInterface, type QueryRunner } from 'typeorm';

/**
 * Each media instance's lease: renewed while it runs, so a peer can tell an instance that
 * died (its lease lapsed) from one that is alive, and fail the dead one's legs.
 */
export class InstanceLeases1796224112384 implements MigrationInterface {
  name = 'InstanceLeases1796224112384';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "media"."instance_leases" (
        "instance_id" character varying(128) NOT NULL,
        "renewed_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
        "expires_at" TIMESTAMP WITH TIME ZONE NOT NULL,
        CONSTRAINT "instance_leases_pkey" PRIMARY KEY ("instance_id"))`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE "media"."instance_leases"`);
  }
}
