import { type MigrationInterface, type QueryRunner } from 'typeorm';

/**
 * `media_sessions` is named after what its rows are: `whatsapp_legs`, with its constraints
 * and indexes. Written by hand as renames: a generated migration drops and recreates the
 * table, and the rows of the legs up during a deploy would be lost.
 */
export class WhatsAppLegsTable1796187398504 implements MigrationInterface {
  name = 'WhatsAppLegsTable1796187398504';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await this.rename(queryRunner, 'media_sessions', 'whatsapp_legs', {
      from: 'PK_3af09c8d277d8368012576dd2dc',
      to: 'PK_47bd1731bcd2022130dd8a77a71',
    });
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await this.rename(queryRunner, 'whatsapp_legs', 'media_sessions', {
      from: 'PK_47bd1731bcd2022130dd8a77a71',
      to: 'PK_3af09c8d277d8368012576dd2dc',
    });
  }

  private async rename(
    queryRunner: QueryRunner,
    from: string,
    to: string,
    primaryKey: { from: string; to: string },
  ): Promise<void> {
    await queryRunner.query(`ALTER TABLE "media"."${from}" RENAME TO "${to}"`);
    await queryRunner.query(
      `ALTER TABLE "media"."${to}" RENAME CONSTRAINT "${primaryKey.from}" TO "${primaryKey.to}"`,
    );
    for (const check of ['state_check', 'direction_check']) {
      await queryRunner.query(
        `ALTER TABLE "media"."${to}" RENAME CONSTRAINT "${from}_${check}" TO "${to}_${check}"`,
      );
    }
    for (const index of ['call_sid_idx', 'instance_id_idx', 'open_call_sid_uq']) {
      await queryRunner.query(`ALTER INDEX "media"."${from}_${index}" RENAME TO "${to}_${index}"`);
    }
  }
}
