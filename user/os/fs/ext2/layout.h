/* The ext2 on-disk format (revision 0 and 1): byte offsets of the fields
 * the library reads or writes, feature bits, and little-endian accessors.
 * Structures on the disk are never cast to C structs: every field is read
 * and written through le16/le32 at its offset, so alignment, padding and
 * the host's byte order play no part. */
#pragma once

#include <stdint.h>

/* Little-endian loads and stores at any alignment. */
static inline uint16_t le16_get(const uint8_t *p)
{
    return (uint16_t)(p[0] | (uint16_t)(p[1] << 8));
}

static inline uint32_t le32_get(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static inline void le16_put(uint8_t *p, uint16_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
}

static inline void le32_put(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
    p[2] = (uint8_t)(v >> 16);
    p[3] = (uint8_t)(v >> 24);
}

/* The superblock: 1024 bytes at byte 1024 of the device, whatever the
 * block size. */
#define SB_OFFSET 1024u
#define SB_SIZE 1024u
#define SB_INODES_COUNT 0
#define SB_BLOCKS_COUNT 4
#define SB_R_BLOCKS_COUNT 8
#define SB_FREE_BLOCKS 12
#define SB_FREE_INODES 16
#define SB_FIRST_DATA_BLOCK 20
#define SB_LOG_BLOCK_SIZE 24 /* block size = 1024 << this */
#define SB_BLOCKS_PER_GROUP 32
#define SB_INODES_PER_GROUP 40
#define SB_MTIME 44 /* last mount */
#define SB_WTIME 48 /* last write */
#define SB_MNT_COUNT 52
#define SB_MAGIC 56
#define SB_STATE 58
#define SB_REV_LEVEL 76
#define SB_FIRST_INO 84 /* revision 1: first inode for files */
#define SB_INODE_SIZE 88
#define SB_FEATURE_COMPAT 92
#define SB_FEATURE_INCOMPAT 96
#define SB_FEATURE_RO_COMPAT 100
#define SB_RESERVED_GDT_BLOCKS 206 /* resize_inode: GDT growth room */
#define SB_LAST_ORPHAN 232         /* orphan list head, chained through i_dtime */
#define SB_DESC_SIZE 254           /* 64bit only */

#define EXT2_MAGIC 0xef53u
#define EXT2_STATE_VALID 0x0001u /* cleanly unmounted */
#define EXT2_STATE_ERROR 0x0002u /* errors detected */
#define EXT2_GOOD_OLD_REV 0u
#define EXT2_DYNAMIC_REV 1u
#define EXT2_GOOD_OLD_INODE_SIZE 128u
#define EXT2_GOOD_OLD_FIRST_INO 11u

/* Feature bits. COMPAT: anyone may write. RO_COMPAT: only an
 * implementation that knows them may write. INCOMPAT: only one that knows
 * them may read. */
#define COMPAT_DIR_PREALLOC 0x0001u
#define COMPAT_IMAGIC_INODES 0x0002u
#define COMPAT_HAS_JOURNAL 0x0004u
#define COMPAT_EXT_ATTR 0x0008u
#define COMPAT_RESIZE_INODE 0x0010u
#define COMPAT_DIR_INDEX 0x0020u

#define INCOMPAT_COMPRESSION 0x0001u
#define INCOMPAT_FILETYPE 0x0002u
#define INCOMPAT_RECOVER 0x0004u /* a journal needs replaying */
#define INCOMPAT_JOURNAL_DEV 0x0008u
#define INCOMPAT_META_BG 0x0010u
#define INCOMPAT_EXTENTS 0x0040u
#define INCOMPAT_64BIT 0x0080u
#define INCOMPAT_FLEX_BG 0x0200u
/* What this library reads and writes. */
#define INCOMPAT_SUPPORTED INCOMPAT_FILETYPE

#define RO_COMPAT_SPARSE_SUPER 0x0001u
#define RO_COMPAT_LARGE_FILE 0x0002u
#define RO_COMPAT_BTREE_DIR 0x0004u
/* What this library writes; any other RO_COMPAT bit mounts read-only. */
#define RO_COMPAT_SUPPORTED (RO_COMPAT_SPARSE_SUPER | RO_COMPAT_LARGE_FILE)

/* A block group descriptor: 32 bytes, the table starts in the block after
 * the superblock's. */
#define GD_SIZE 32u
#define GD_BLOCK_BITMAP 0
#define GD_INODE_BITMAP 4
#define GD_INODE_TABLE 8
#define GD_FREE_BLOCKS 12
#define GD_FREE_INODES 14
#define GD_USED_DIRS 16

/* An inode: 128 bytes (revision 0) or s_inode_size; fields past 128 are
 * left as they are, except i_extra_isize on a new inode. */
#define IN_MODE 0
#define IN_UID 2
#define IN_SIZE 4
#define IN_ATIME 8
#define IN_CTIME 12
#define IN_MTIME 16
#define IN_DTIME 20
#define IN_GID 24
#define IN_LINKS 26
#define IN_BLOCKS 28 /* 512-byte units, indirect blocks included */
#define IN_FLAGS 32
#define IN_BLOCK 40 /* 15 block numbers: 12 direct, single, double, triple */
#define IN_GENERATION 100
#define IN_FILE_ACL 104 /* extended attribute block */
#define IN_SIZE_HIGH 108
#define IN_BLOCKS_HIGH 116
#define IN_FILE_ACL_HIGH 118
#define IN_UID_HIGH 120
#define IN_GID_HIGH 122
#define IN_EXTRA_ISIZE 128 /* inodes larger than 128 bytes */
#define IN_CTIME_EXTRA 132
#define IN_MTIME_EXTRA 136
#define IN_ATIME_EXTRA 140
#define IN_CRTIME 144
#define IN_CRTIME_EXTRA 148
#define IN_NEW_EXTRA_ISIZE 32 /* what mke2fs gives a new inode */

#define EXT2_NDIR_BLOCKS 12
#define EXT2_IND_BLOCK 12
#define EXT2_DIND_BLOCK 13
#define EXT2_TIND_BLOCK 14
#define EXT2_N_BLOCKS 15
#define EXT2_FAST_SYMLINK_MAX 59 /* a target shorter than i_block's 60 bytes */

/* i_flags */
#define EXT2_IMMUTABLE_FL 0x00000010u
#define EXT2_APPEND_FL 0x00000020u
#define EXT2_INDEX_FL 0x00001000u /* hashed directory (dir_index) */
#define EXT4_EXTENTS_FL 0x00080000u
#define EXT4_INLINE_DATA_FL 0x10000000u
#define EXT4_HUGE_FILE_FL 0x00040000u

/* i_mode */
#define S_TYPE_MASK 0170000u
#define S_TYPE_SOCK 0140000u
#define S_TYPE_LNK 0120000u
#define S_TYPE_REG 0100000u
#define S_TYPE_BLK 0060000u
#define S_TYPE_DIR 0040000u
#define S_TYPE_CHR 0020000u
#define S_TYPE_FIFO 0010000u
#define S_PERM_MASK 07777u

/* A directory entry: inode, rec_len (to the next entry), name_len, file
 * type (filetype feature; else the high byte of a 16-bit name_len), name.
 * Entries tile each directory block exactly. */
#define DE_INODE 0
#define DE_REC_LEN 4
#define DE_NAME_LEN 6
#define DE_FILE_TYPE 7
#define DE_NAME 8
#define DE_HEADER 8u
/* The space an entry with a name of `len` bytes needs: 4-byte aligned. */
#define DE_REC_LEN_FOR(len) ((DE_HEADER + (uint32_t)(len) + 3u) & ~3u)

/* The extended attribute block's header (ext_attr): magic, reference count. */
#define XATTR_MAGIC 0xea020000u
#define XATTR_H_MAGIC 0
#define XATTR_H_REFCOUNT 4

/* Reserved inode numbers. */
#define EXT2_BAD_INO 1
#define EXT2_RESIZE_INO 7
