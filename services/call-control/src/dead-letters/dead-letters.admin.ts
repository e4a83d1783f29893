import { In, type Repository } from 'typeorm';
import { type DeadLetterEntity } from './dead-letter.entity';

/**
 * Operator commands on dead letters, straight against the database: the running service
 * re-drives what is marked (within DEAD_LETTER_REDRIVE_MS).
 */
export class DeadLetterAdmin {
  constructor(private readonly letters: Repository<DeadLetterEntity>) {}

  list(includeRedriven: boolean): Promise<DeadLetterEntity[]> {
    return this.letters.find({
      ...(includeRedriven ? {} : { where: { status: In(['dead', 'redrive']) } }),
      order: { id: 'ASC' },
      take: 1000,
    });
  }

  /** Marks dead letters (these ids, or every one) to be re-driven; returns how many. */
  async markForRedrive(ids: string[] | 'all'): Promise<number> {
    const qb = this.letters
      .createQueryBuilder()
      .update()
      .set({ status: 'redrive' })
      .where("status = 'dead'");
    if (ids !== 'all') qb.andWhere('id IN (:...ids)', { ids });
    const result = await qb.execute();
    return result.affected ?? 0;
  }
}
