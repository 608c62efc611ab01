import 'reflect-metadata';
import { Column, Entity, getMetadataArgsStorage, PrimaryColumn } from 'typeorm';

// TypeORM infers column types from the `design:type` metadata the compiler emits. esbuild/tsx
// drop it; this guards the Jest transform (swc) and the tsc build settings that keep it.
@Entity({ name: 'metadata_probe' })
class MetadataProbe {
  @PrimaryColumn()
  id!: number;

  @Column()
  name!: string;

  @Column()
  createdAt!: Date;
}

describe('decorator metadata', () => {
  it('is emitted for entity properties, so TypeORM can infer column types', () => {
    expect(Reflect.getMetadata('design:type', MetadataProbe.prototype, 'id')).toBe(Number);
    expect(Reflect.getMetadata('design:type', MetadataProbe.prototype, 'name')).toBe(String);
    expect(Reflect.getMetadata('design:type', MetadataProbe.prototype, 'createdAt')).toBe(Date);
    const columns = getMetadataArgsStorage().columns.filter((c) => c.target === MetadataProbe);
    expect(columns.map((c) => c.propertyName).sort()).toEqual(['createdAt', 'id', 'name']);
  });
});
