package member

import (
	"context"
	"strings"

	"github.com/gatehouse/gatehouse/internal/apperr"
	"github.com/gatehouse/gatehouse/internal/clock"
	"github.com/gatehouse/gatehouse/internal/store"
)

// NewTemplate is the input of CreateTemplate.
type NewTemplate struct {
	Name     string `json:"name" minLength:"1" maxLength:"200"`
	TierCd   string `json:"tierCd" minLength:"1" maxLength:"50" doc:"Tier code in capitals, e.g. BASIC, PREMIUM."`
	TierRank int    `json:"tierRank" minimum:"0" maximum:"1000" doc:"Higher ranks include lower ones."`
}

// CreateTemplate adds a contract template.
func (s *Service) CreateTemplate(ctx context.Context, sc Scope, in NewTemplate) (*Template, error) {
	in.Name = strings.TrimSpace(in.Name)
	in.TierCd = strings.ToUpper(strings.TrimSpace(in.TierCd))
	var errs []apperr.FieldError
	if in.Name == "" {
		errs = append(errs, apperr.FieldError{Field: "name", Message: "must not be empty"})
	}
	if !tierPattern.MatchString(in.TierCd) {
		errs = append(errs, apperr.FieldError{Field: "tierCd", Message: "must be capitals, digits and _ (e.g. PREMIUM)", Value: in.TierCd})
	}
	if in.TierRank < 0 || in.TierRank > 1000 {
		errs = append(errs, apperr.FieldError{Field: "tierRank", Message: "must be 0–1000"})
	}
	if len(errs) > 0 {
		return nil, apperr.Invalid("invalid contract template", errs...)
	}
	t := Template{EntityID: sc.EntityID, Name: in.Name, TierCd: in.TierCd, TierRank: in.TierRank, CreatedAt: s.Clock.Now(), Version: 1}
	err := s.DB.InTx(ctx, func(tx *store.Tx) error {
		if err := tx.QueryRowContext(ctx, `INSERT INTO contract_templates (entity_id, name, tier_cd, tier_rank, created_at)
			VALUES ($1, $2, $3, $4, $5) RETURNING id`, t.EntityID, t.Name, t.TierCd, t.TierRank, t.CreatedAt).Scan(&t.ID); err != nil {
			return err
		}
		return s.Events.Emit(ctx, tx, sc.EntityID, "contract_template.created", t.CreatedAt, t)
	})
	return &t, err
}

// ListTemplates returns the organisation's templates, highest tier first.
func (s *Service) ListTemplates(ctx context.Context, sc Scope) ([]Template, error) {
	rows, err := s.DB.QueryContext(ctx, `SELECT id, entity_id, name, tier_cd, tier_rank, created_at, version
		FROM contract_templates WHERE entity_id = $1 ORDER BY tier_rank DESC, name`, sc.EntityID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Template
	for rows.Next() {
		var t Template
		if err := rows.Scan(&t.ID, &t.EntityID, &t.Name, &t.TierCd, &t.TierRank, store.Time(&t.CreatedAt), &t.Version); err != nil {
			return nil, err
		}
		out = append(out, t)
	}
	return out, rows.Err()
}

const contractCols = `c.id, c.entity_id, c.member_id, c.template_id, t.name, t.tier_cd, t.tier_rank,
	c.start_date, c.end_date, c.status_cd, c.created_at, c.updated_at, c.version`

func scanContract(sc interface{ Scan(...any) error }, today clock.Date) (*Contract, error) {
	var c Contract
	var end *clock.Date
	err := sc.Scan(&c.ID, &c.EntityID, &c.MemberID, &c.TemplateID, &c.TemplateName, &c.TierCd, &c.TierRank,
		&c.StartDate, &end, &c.StatusCd, store.Time(&c.CreatedAt), store.Time(&c.UpdatedAt), &c.Version)
	if err != nil {
		return nil, err
	}
	c.EndDate = end
	c.Active = c.ActiveOn(today)
	return &c, nil
}

// ContractInput is the input of contract create and update.
type ContractInput struct {
	TemplateID int64
	StartDate  clock.Date
	EndDate    *clock.Date
	StatusCd   string
}

func (in *ContractInput) validate() error {
	var errs []apperr.FieldError
	switch in.StatusCd {
	case "":
		in.StatusCd = StatusActive
	case StatusActive, StatusSuspended, StatusCancelled:
	default:
		errs = append(errs, apperr.FieldError{Field: "statusCd", Message: "must be ACTIVE, SUSPENDED or CANCELLED", Value: in.StatusCd})
	}
	if in.StartDate.IsZero() {
		errs = append(errs, apperr.FieldError{Field: "startDate", Message: "is required (YYYY-MM-DD)"})
	}
	if in.EndDate != nil && in.EndDate.Before(in.StartDate) {
		errs = append(errs, apperr.FieldError{Field: "endDate", Message: "must not be before startDate", Value: in.EndDate.String()})
	}
	if len(errs) > 0 {
		return apperr.Invalid("invalid contract", errs...)
	}
	return nil
}

// CreateContract gives a member a contract.
func (s *Service) CreateContract(ctx context.Context, sc Scope, memberID int64, in ContractInput) (*Contract, error) {
	if err := in.validate(); err != nil {
		return nil, err
	}
	var c *Contract
	err := s.DB.InTx(ctx, func(tx *store.Tx) error {
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM members WHERE id = $1 AND entity_id = $2`, memberID, sc.EntityID).Scan(&n); err != nil {
			return err
		}
		if n == 0 {
			return apperr.NotFound("member")
		}
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM contract_templates WHERE id = $1 AND entity_id = $2`, in.TemplateID, sc.EntityID).Scan(&n); err != nil {
			return err
		}
		if n == 0 {
			return apperr.Field("templateId", "no such contract template")
		}
		now := s.Clock.Now()
		var id int64
		if err := tx.QueryRowContext(ctx, `INSERT INTO contracts (entity_id, member_id, template_id, start_date, end_date, status_cd, created_at, updated_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $7) RETURNING id`, sc.EntityID, memberID, in.TemplateID, in.StartDate, in.EndDate, in.StatusCd, now).Scan(&id); err != nil {
			return err
		}
		var err error
		if c, err = s.getContract(ctx, tx, sc, id); err != nil {
			return err
		}
		return s.Events.Emit(ctx, tx, sc.EntityID, "contract.created", now, c)
	})
	return c, err
}

func (s *Service) getContract(ctx context.Context, q store.Querier, sc Scope, id int64) (*Contract, error) {
	c, err := scanContract(q.QueryRowContext(ctx, `SELECT `+contractCols+` FROM contracts c JOIN contract_templates t ON t.id = c.template_id
		WHERE c.id = $1 AND c.entity_id = $2`, id, sc.EntityID), s.today(sc))
	if store.IsNoRows(err) {
		return nil, apperr.NotFound("contract")
	}
	return c, err
}

// GetContract returns one contract.
func (s *Service) GetContract(ctx context.Context, sc Scope, id int64) (*Contract, error) {
	return s.getContract(ctx, s.DB, sc, id)
}

// Contracts lists a member's contracts, newest first.
func (s *Service) Contracts(ctx context.Context, sc Scope, memberID int64) ([]Contract, error) {
	if ok, err := s.Exists(ctx, sc.EntityID, memberID); err != nil {
		return nil, err
	} else if !ok {
		return nil, apperr.NotFound("member")
	}
	rows, err := s.DB.QueryContext(ctx, `SELECT `+contractCols+` FROM contracts c JOIN contract_templates t ON t.id = c.template_id
		WHERE c.member_id = $1 AND c.entity_id = $2 ORDER BY c.start_date DESC, c.id DESC`, memberID, sc.EntityID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	today := s.today(sc)
	var out []Contract
	for rows.Next() {
		c, err := scanContract(rows, today)
		if err != nil {
			return nil, err
		}
		out = append(out, *c)
	}
	return out, rows.Err()
}

// UpdateContract changes dates or status if version is current. A cancelled
// contract stays cancelled (409).
func (s *Service) UpdateContract(ctx context.Context, sc Scope, id, version int64, in ContractInput) (*Contract, error) {
	if err := in.validate(); err != nil {
		return nil, err
	}
	var c *Contract
	err := s.DB.InTx(ctx, func(tx *store.Tx) error {
		cur, err := s.getContract(ctx, tx, sc, id)
		if err != nil {
			return err
		}
		if cur.Version != version {
			return apperr.StaleVersion("the contract")
		}
		if !validTransition(cur.StatusCd, in.StatusCd) {
			return apperr.Conflict("a %s contract cannot become %s; create a new contract instead", cur.StatusCd, in.StatusCd)
		}
		now := s.Clock.Now()
		if _, err := tx.ExecContext(ctx, `UPDATE contracts SET start_date = $1, end_date = $2, status_cd = $3, updated_at = $4, version = version + 1
			WHERE id = $5 AND entity_id = $6 AND version = $7`, in.StartDate, in.EndDate, in.StatusCd, now, id, sc.EntityID, version); err != nil {
			return err
		}
		if c, err = s.getContract(ctx, tx, sc, id); err != nil {
			return err
		}
		return s.Events.Emit(ctx, tx, sc.EntityID, "contract.updated", now, c)
	})
	return c, err
}

// ActiveContractSQL is the rule of ActiveContract as SQL, for callers that read
// the contract together with other things in one query: it selects cols (of
// contracts c and contract_templates t) of the best contract of member $1 in
// organisation $2 active on day $3 (ActiveOn's value), at most one row.
func ActiveContractSQL(cols string) string {
	return `SELECT ` + cols + ` FROM contracts c JOIN contract_templates t ON t.id = c.template_id
		WHERE c.member_id = $1 AND c.entity_id = $2 AND c.status_cd = 'ACTIVE' AND c.start_date <= $3 AND (c.end_date IS NULL OR c.end_date >= $3)
		ORDER BY t.tier_rank DESC, c.id LIMIT 1`
}

// ActiveOn is the day on which a contract must be active now: the
// organisation's today.
func (s *Service) ActiveOn(sc Scope) clock.Date { return s.today(sc) }

// ActiveContract returns the member's best contract active on the organisation's
// today (highest tier rank), or nil.
func (s *Service) ActiveContract(ctx context.Context, q store.Querier, sc Scope, memberID int64) (*Contract, error) {
	today := s.today(sc)
	c, err := scanContract(q.QueryRowContext(ctx, ActiveContractSQL(contractCols), memberID, sc.EntityID, today), today)
	if store.IsNoRows(err) {
		return nil, nil
	}
	return c, err
}
