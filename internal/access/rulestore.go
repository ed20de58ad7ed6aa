package access

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/gatehouse/gatehouse/internal/apperr"
	"github.com/gatehouse/gatehouse/internal/store"
)

// RuleInput is the editable part of a rule.
type RuleInput struct {
	ZoneID   int64           `json:"zoneId" minimum:"1"`
	Name     string          `json:"name" minLength:"1" maxLength:"200"`
	RuleCd   string          `json:"ruleCd" enum:"MEMBERSHIP_TIER,TIME_RESTRICTION,DAY_OF_WEEK,BLACKLIST"`
	Config   json.RawMessage `json:"config" doc:"Per ruleCd: MEMBERSHIP_TIER {allowedTemplateIds?, minTierRank?}; TIME_RESTRICTION {allowFrom, allowUntil, exemptTemplateIds?, exemptMinTierRank?}; DAY_OF_WEEK {allowedDays, exemptTemplateIds?, exemptMinTierRank?}; BLACKLIST {blockedMemberIds}."`
	Priority int             `json:"priority,omitempty" minimum:"-1000" maximum:"1000" doc:"Higher is evaluated first; default 0."`
	Active   *bool           `json:"active,omitempty" doc:"Default true."`
}

const ruleCols = `r.id, r.entity_id, r.zone_id, r.name, r.rule_cd, r.config, r.priority, r.active, r.created_at, r.updated_at, r.version`

func scanRule(sc interface{ Scan(...any) error }) (*Rule, error) {
	var r Rule
	var cfg []byte
	if err := sc.Scan(&r.ID, &r.EntityID, &r.ZoneID, &r.Name, &r.RuleCd, &cfg, &r.Priority, &r.Active,
		store.Time(&r.CreatedAt), store.Time(&r.UpdatedAt), &r.Version); err != nil {
		return nil, err
	}
	r.Config = json.RawMessage(cfg)
	return &r, nil
}

func (s *Service) getRule(ctx context.Context, q store.Querier, sc Scope, id int64) (*Rule, error) {
	r, err := scanRule(q.QueryRowContext(ctx, `SELECT `+ruleCols+` FROM access_rules r WHERE r.id = $1 AND r.entity_id = $2`, id, sc.EntityID))
	if store.IsNoRows(err) {
		return nil, apperr.NotFound("rule")
	}
	return r, err
}

// ListRules returns the organisation's rules (of one zone when zoneID is set),
// highest priority first.
func (s *Service) ListRules(ctx context.Context, sc Scope, zoneID *int64, limit, offset int) ([]Rule, int, error) {
	where, args := `r.entity_id = $1`, []any{sc.EntityID}
	if zoneID != nil {
		if ok, err := s.ZoneExists(ctx, sc.EntityID, *zoneID); err != nil {
			return nil, 0, err
		} else if !ok {
			return nil, 0, apperr.NotFound("zone")
		}
		where, args = where+` AND r.zone_id = $2`, append(args, *zoneID)
	}
	var total int
	if err := s.DB.QueryRowContext(ctx, `SELECT COUNT(*) FROM access_rules r WHERE `+where, args...).Scan(&total); err != nil {
		return nil, 0, err
	}
	n := len(args)
	rows, err := s.DB.QueryContext(ctx, fmt.Sprintf(`SELECT `+ruleCols+` FROM access_rules r WHERE `+where+
		` ORDER BY r.priority DESC, r.id LIMIT $%d OFFSET $%d`, n+1, n+2), append(args, limit, offset)...)
	if err != nil {
		return nil, 0, err
	}
	defer rows.Close()
	var out []Rule
	for rows.Next() {
		r, err := scanRule(rows)
		if err != nil {
			return nil, 0, err
		}
		out = append(out, *r)
	}
	return out, total, rows.Err()
}

// validateRule checks a rule input against the organisation and returns the
// config in canonical form.
func (s *Service) validateRule(ctx context.Context, q store.Querier, sc Scope, in *RuleInput) (json.RawMessage, error) {
	in.Name = strings.TrimSpace(in.Name)
	if in.Name == "" || len(in.Name) > 200 {
		return nil, apperr.Field("name", "must be 1–200 characters")
	}
	if ok, err := s.zoneExistsQ(ctx, q, sc.EntityID, in.ZoneID); err != nil {
		return nil, err
	} else if !ok {
		return nil, apperr.Field("zoneId", "no such zone in this organisation")
	}
	_, canon, refs, err := CompileRule(0, in.Name, in.RuleCd, in.Priority, in.Config)
	if err != nil {
		return nil, err
	}
	for _, t := range refs.TemplateIDs {
		var n int
		if err := q.QueryRowContext(ctx, `SELECT COUNT(*) FROM contract_templates WHERE id = $1 AND entity_id = $2`, t, sc.EntityID).Scan(&n); err != nil {
			return nil, err
		}
		if n == 0 {
			return nil, apperr.Field("config", "contract template %d does not exist in this organisation", t)
		}
	}
	for _, m := range refs.MemberIDs {
		if ok, err := memberExists(ctx, q, sc.EntityID, m); err != nil {
			return nil, err
		} else if !ok {
			return nil, apperr.Field("config", "member %d does not exist in this organisation", m)
		}
	}
	return canon, nil
}

func (s *Service) zoneExistsQ(ctx context.Context, q store.Querier, entityID, zoneID int64) (bool, error) {
	var n int
	err := q.QueryRowContext(ctx, `SELECT COUNT(*) FROM access_zones WHERE id = $1 AND entity_id = $2`, zoneID, entityID).Scan(&n)
	return n > 0, err
}

// CreateRule adds a rule to a zone.
func (s *Service) CreateRule(ctx context.Context, sc Scope, in RuleInput) (*Rule, error) {
	var r *Rule
	err := s.inTx(ctx, func(tx *store.Tx) error {
		canon, err := s.validateRule(ctx, tx, sc, &in)
		if err != nil {
			return err
		}
		now := s.Clock.Now()
		var id int64
		if err := tx.QueryRowContext(ctx, `INSERT INTO access_rules (entity_id, zone_id, name, rule_cd, config, priority, active, created_at, updated_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8) RETURNING id`,
			sc.EntityID, in.ZoneID, in.Name, in.RuleCd, string(canon), in.Priority, in.Active == nil || *in.Active, now).Scan(&id); err != nil {
			return err
		}
		if r, err = s.getRule(ctx, tx, sc, id); err != nil {
			return err
		}
		return s.Events.Emit(ctx, tx, sc.EntityID, "rule.created", now, r)
	})
	return r, err
}

// UpdateRule changes a rule if version is current.
func (s *Service) UpdateRule(ctx context.Context, sc Scope, id, version int64, in RuleInput) (*Rule, error) {
	var r *Rule
	err := s.inTx(ctx, func(tx *store.Tx) error {
		cur, err := s.getRule(ctx, tx, sc, id)
		if err != nil {
			return err
		}
		if cur.Version != version {
			return apperr.StaleVersion("the rule")
		}
		canon, err := s.validateRule(ctx, tx, sc, &in)
		if err != nil {
			return err
		}
		now := s.Clock.Now()
		if _, err := tx.ExecContext(ctx, `UPDATE access_rules SET zone_id = $1, name = $2, rule_cd = $3, config = $4, priority = $5,
			active = $6, updated_at = $7, version = version + 1 WHERE id = $8 AND entity_id = $9 AND version = $10`,
			in.ZoneID, in.Name, in.RuleCd, string(canon), in.Priority, in.Active == nil || *in.Active, now, id, sc.EntityID, version); err != nil {
			return err
		}
		if r, err = s.getRule(ctx, tx, sc, id); err != nil {
			return err
		}
		return s.Events.Emit(ctx, tx, sc.EntityID, "rule.updated", now, r)
	})
	return r, err
}

// DeleteRule removes a rule (rules carry no history of their own; the check-ins
// they decided keep their denial reason).
func (s *Service) DeleteRule(ctx context.Context, sc Scope, id int64) error {
	return s.inTx(ctx, func(tx *store.Tx) error {
		r, err := s.getRule(ctx, tx, sc, id)
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM access_rules WHERE id = $1 AND entity_id = $2`, id, sc.EntityID); err != nil {
			return err
		}
		return s.Events.Emit(ctx, tx, sc.EntityID, "rule.deleted", s.Clock.Now(), r)
	})
}
