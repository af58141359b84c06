"""Languages of the pages: UI strings in fr/en/zh, Accept-Language, label fallback, dates.

Accept-Language follows RFC 9110 §12.5.4; dates keep the precision of their XSD type
(xsd:date, xsd:gYearMonth, xsd:gYear — https://www.w3.org/TR/xmlschema11-2/#built-in-datatypes).
"""

from __future__ import annotations

import re
from functools import lru_cache

from rdflib import Literal, URIRef
from rdflib.namespace import DCTERMS, FOAF, ORG, OWL, RDF, RDFS, SKOS, XSD

from server.languages import DEFAULT_LANGUAGE, FALLBACK, LANGUAGES, pick, primary
from server.namespaces import SCHEMA

__all__ = ["DEFAULT_LANGUAGE", "FALLBACK", "LANGUAGES", "pick", "primary"]

LANGUAGE_NAMES = {"fr": "Français", "en": "English", "zh": "中文"}

MONTHS = {
    "fr": ("janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre",
           "octobre", "novembre", "décembre"),
    "en": ("January", "February", "March", "April", "May", "June", "July", "August", "September",
           "October", "November", "December"),
}

UI: dict[str, dict[str, str]] = {
    "site_title": {"fr": "Graphe de connaissances du CNC", "en": "CNC knowledge graph",
                   "zh": "中法碳中和中心知识图谱"},
    "home": {"fr": "Accueil", "en": "Home", "zh": "首页"},
    "search": {"fr": "Rechercher", "en": "Search", "zh": "搜索"},
    "search_placeholder": {"fr": "Nom, sigle, 中文…", "en": "Name, acronym, 中文…",
                           "zh": "名称、缩写…"},
    "search_results": {"fr": "Résultats pour « {query} »", "en": "Results for “{query}”",
                       "zh": "“{query}”的搜索结果"},
    "no_results": {"fr": "Aucun résultat.", "en": "No results.", "zh": "没有结果。"},
    "suggestions": {"fr": "Suggestions", "en": "Suggestions", "zh": "搜索建议"},
    "browse": {"fr": "Parcourir", "en": "Browse", "zh": "浏览"},
    "timeline": {"fr": "Chronologie", "en": "Timeline", "zh": "时间线"},
    "network": {"fr": "Réseau", "en": "Network", "zh": "网络"},
    "data": {"fr": "Données", "en": "Data", "zh": "数据"},
    "sparql": {"fr": "Point d'accès SPARQL", "en": "SPARQL endpoint", "zh": "SPARQL 端点"},
    # The query page; keys starting with "q_" are the words its script writes.
    "query_intro": {"fr": "Posez vos questions au graphe en SPARQL : choisissez une question "
                          "d'exemple ou écrivez votre requête.",
                    "en": "Ask the graph your questions in SPARQL: pick an example question or "
                          "write your own query.",
                    "zh": "用 SPARQL 向图谱提问：选择一个示例问题，或自己编写查询。"},
    "query_limits": {"fr": "Lecture seule ; une requête s'arrête après {seconds} s et rend au "
                           "plus {rows} lignes.",
                     "en": "Read-only; a query stops after {seconds} s and returns at most "
                           "{rows} rows.",
                     "zh": "只读；查询在 {seconds} 秒后停止，最多返回 {rows} 行。"},
    "endpoint_address": {"fr": "Adresse du point d'accès :", "en": "Endpoint address:",
                         "zh": "端点地址："},
    "service_description": {"fr": "Description du service", "en": "Service description",
                            "zh": "服务说明"},
    "your_query": {"fr": "Requête SPARQL", "en": "SPARQL query", "zh": "SPARQL 查询"},
    "known_prefixes": {"fr": "Préfixes déjà déclarés ({count})",
                       "en": "Prefixes already declared ({count})",
                       "zh": "已声明的前缀（{count} 个）"},
    "query_help": {"fr": "Ctrl+Entrée exécute la requête. Les préfixes connus sont déjà "
                         "déclarés : une requête peut commencer par SELECT.",
                   "en": "Ctrl+Enter runs the query. The known prefixes are already declared: "
                         "a query may start with SELECT.",
                   "zh": "按 Ctrl+Enter 运行查询。常用前缀已声明，查询可直接以 SELECT 开头。"},
    "run": {"fr": "Exécuter", "en": "Run", "zh": "运行"},
    "permalink": {"fr": "Lien permanent", "en": "Permalink", "zh": "永久链接"},
    "example_questions": {"fr": "Questions d'exemple", "en": "Example questions",
                          "zh": "示例问题"},
    "results": {"fr": "Résultats", "en": "Results", "zh": "结果"},
    "results_empty": {"fr": "Exécutez une requête pour voir ses résultats ici.",
                      "en": "Run a query to see its results here.",
                      "zh": "运行查询后，结果将显示在这里。"},
    "q_download": {"fr": "Télécharger :", "en": "Download:", "zh": "下载："},
    "q_running": {"fr": "Exécution…", "en": "Running…", "zh": "正在运行…"},
    "q_rows": {"fr": "{rows} ligne(s) en {seconds} s", "en": "{rows} row(s) in {seconds} s",
               "zh": "{rows} 行，用时 {seconds} 秒"},
    "q_capped_rows": {"fr": " — limité à {max} lignes et {mb} Mo",
                      "en": " — capped at {max} rows and {mb} MB",
                      "zh": "（上限 {max} 行、{mb} MB）"},
    "q_capped_triples": {"fr": " — limité à {max} triplets et {mb} Mo",
                         "en": " — capped at {max} triples and {mb} MB",
                         "zh": "（上限 {max} 个三元组、{mb} MB）"},
    "q_answered": {"fr": "Réponse en {seconds} s", "en": "Answered in {seconds} s",
                   "zh": "用时 {seconds} 秒"},
    "q_graph": {"fr": "Graphe obtenu en {seconds} s", "en": "Graph in {seconds} s",
                "zh": "已获得图谱，用时 {seconds} 秒"},
    "q_true": {"fr": "vrai", "en": "true", "zh": "是"},
    "q_false": {"fr": "faux", "en": "false", "zh": "否"},
    "q_no_rows": {"fr": "Aucune ligne ne répond à la requête.", "en": "No row answers the query.",
                  "zh": "没有符合查询的结果。"},
    "q_error": {"fr": "Erreur {status}", "en": "Error {status}", "zh": "错误 {status}"},
    "q_network_error": {"fr": "Le serveur n'a pas répondu : {error}",
                        "en": "The server did not answer: {error}",
                        "zh": "服务器没有响应：{error}"},
    "q_syntax": {"fr": "Erreur de syntaxe ligne {line}, colonne {column}",
                 "en": "Syntax error at line {line}, column {column}",
                 "zh": "语法错误：第 {line} 行，第 {column} 列"},
    "q_go_to_error": {"fr": "Aller à l'erreur dans la requête",
                      "en": "Go to the error in the query", "zh": "转到查询中的错误位置"},
    "q_engine_message": {"fr": "Message du moteur (en anglais) :",
                         "en": "The engine's message:", "zh": "查询引擎的信息（英文）："},
    "ontology": {"fr": "Ontologie", "en": "Ontology", "zh": "本体"},
    "language": {"fr": "Langue", "en": "Language", "zh": "语言"},
    "type": {"fr": "Type", "en": "Type", "zh": "类型"},
    "names": {"fr": "Noms", "en": "Names", "zh": "名称"},
    "description": {"fr": "Description", "en": "Description", "zh": "描述"},
    "relations": {"fr": "Relations", "en": "Relations", "zh": "关系"},
    "dates": {"fr": "Dates", "en": "Dates", "zh": "日期"},
    "figures": {"fr": "Chiffres", "en": "Figures", "zh": "数字"},
    "other": {"fr": "Autres propriétés", "en": "Other properties", "zh": "其他属性"},
    "inverse": {"fr": "Mentionné par", "en": "Referred to by", "zh": "被引用于"},
    "roles": {"fr": "Rôles", "en": "Roles", "zh": "职务"},
    "claims": {"fr": "Sources divergentes", "en": "Sources that disagree", "zh": "来源不一致"},
    "sources": {"fr": "Sources", "en": "Sources", "zh": "来源"},
    "identifiers": {"fr": "Identifiants et liens", "en": "Identifiers and links",
                    "zh": "标识符与链接"},
    "formats": {"fr": "Cette page en RDF", "en": "This page as RDF", "zh": "本页 RDF 格式"},
    "since": {"fr": "depuis {date}", "en": "since {date}", "zh": "{date}起"},
    "until": {"fr": "jusqu'à {date}", "en": "until {date}", "zh": "至{date}"},
    "not_found": {"fr": "Page introuvable", "en": "Page not found", "zh": "未找到页面"},
    "not_found_text": {"fr": "Aucune ressource n'a cette adresse :",
                       "en": "Nothing in the graph has this address:",
                       "zh": "图谱中没有此地址："},
    "similar": {"fr": "Noms proches", "en": "Similar names", "zh": "相近的名称"},
    "about_cnc": {"fr": "Le Centre franco-chinois sur la Neutralité Carbone",
                  "en": "The Franco-Chinese Carbon Neutrality Center",
                  "zh": "中法碳中和中心"},
    "declared_vs_recorded": {"fr": "Chiffres déclarés et recensés",
                             "en": "Declared and recorded figures",
                             "zh": "公布数字与已收录数字"},
    "declared": {"fr": "Déclaré", "en": "Declared", "zh": "公布"},
    "recorded": {"fr": "Recensé ici", "en": "Recorded here", "zh": "本图谱收录"},
    "measure": {"fr": "Mesure", "en": "Measure", "zh": "指标"},
    "as_of": {"fr": "(état : {date})", "en": "(as of {date})", "zh": "（截至{date}）"},
    # A declared number and the name of its qualifier (cnc:ValueQualifiers), in either order.
    "figure_before": {"fr": "{qualifier} {value}", "en": "{qualifier} {value}",
                      "zh": "{qualifier} {value}"},
    "figure_after": {"fr": "{value} ({qualifier})", "en": "{value} ({qualifier})",
                     "zh": "{value}（{qualifier}）"},
    "not_recorded": {"fr": "non recensé", "en": "not recorded", "zh": "未收录"},
    "axes": {"fr": "Axes de recherche", "en": "Research axes", "zh": "研究方向"},
    "recent_events": {"fr": "Événements récents", "en": "Recent events", "zh": "近期活动"},
    "entry_points": {"fr": "Points d'entrée", "en": "Entry points", "zh": "入口"},
    "classes": {"fr": "Types de ressources", "en": "Kinds of resources", "zh": "资源类型"},
    "count": {"fr": "Nombre", "en": "Count", "zh": "数量"},
    # Columns of the class lists (each sorts the list).
    "column_name": {"fr": "Nom", "en": "Name", "zh": "名称"},
    "column_type": {"fr": "Type", "en": "Type", "zh": "类型"},
    "column_country": {"fr": "Pays", "en": "Country", "zh": "国家"},
    "column_date": {"fr": "Date", "en": "Date", "zh": "日期"},
    "column_parent": {"fr": "Fait partie de", "en": "Part of", "zh": "所属"},
    "nodes": {"fr": "Nœuds du CNC", "en": "CNC nodes", "zh": "中心节点"},
    "network_intro": {"fr": "Les nœuds du CNC et leurs partenaires français et chinois.",
                      "en": "CNC nodes and their French and Chinese partners.",
                      "zh": "中法碳中和中心的节点及其中法合作伙伴。"},
    "french_partners": {"fr": "Partenaires français", "en": "French partners",
                        "zh": "法方合作伙伴"},
    "chinese_partners": {"fr": "Partenaires chinois", "en": "Chinese partners",
                         "zh": "中方合作伙伴"},
    "chinese_other_partners": {"fr": "Partenaires chinois et autres",
                               "en": "Chinese and other partners", "zh": "中方及其他合作伙伴"},
    "node_list": {"fr": "Liste des liens", "en": "List of links", "zh": "链接列表"},
    "partners": {"fr": "Partenaires", "en": "Partners", "zh": "合作伙伴"},
    "other_partners": {"fr": "Autres partenaires (autre pays ou pays non précisé)",
                       "en": "Other partners (other or unstated country)",
                       "zh": "其他合作伙伴（其他国家或国家未注明）"},
    "coordinator": {"fr": "coordinateur", "en": "coordinator", "zh": "牵头单位"},
    "partner_role": {"fr": "partenaire", "en": "partner", "zh": "合作伙伴"},
    "part_of": {"fr": "fait partie de", "en": "part of", "zh": "隶属于"},
    "dumps": {"fr": "Téléchargements", "en": "Downloads", "zh": "下载"},
    # The dataset page.
    "dataset": {"fr": "Jeu de données", "en": "Dataset", "zh": "数据集"},
    "about_dataset": {"fr": "Tout sur le jeu de données", "en": "All about the dataset",
                      "zh": "数据集说明"},
    "graph_checksum": {"fr": "Empreinte SHA-256 du graphe (N-Triples triés)",
                       "en": "SHA-256 of the graph (sorted N-Triples)",
                       "zh": "图谱的 SHA-256（排序后的 N-Triples）"},
    "triples": {"fr": "Triplets", "en": "Triples", "zh": "三元组"},
    "entities": {"fr": "Ressources décrites", "en": "Resources described", "zh": "所述资源"},
    "classes_used": {"fr": "Classes utilisées", "en": "Classes used", "zh": "使用的类"},
    "properties_used": {"fr": "Propriétés utilisées", "en": "Properties used",
                        "zh": "使用的属性"},
    "licence": {"fr": "Licence", "en": "Licence", "zh": "许可协议"},
    "access": {"fr": "Accès", "en": "Access", "zh": "访问方式"},
    "query_service": {"fr": "Service de requêtes", "en": "Query service", "zh": "查询服务"},
    "description_formats": {"fr": "Cette description en RDF (VoID, DCAT)",
                            "en": "This description as RDF (VoID, DCAT)",
                            "zh": "本说明的 RDF 格式（VoID、DCAT）"},
    "pages_list": {"fr": "Liste des pages", "en": "List of pages", "zh": "页面列表"},
    "contents": {"fr": "Contenu", "en": "Contents", "zh": "内容"},
    "file": {"fr": "Fichier", "en": "File", "zh": "文件"},
    "checksum": {"fr": "Empreinte SHA-256", "en": "SHA-256 checksum", "zh": "SHA-256 校验和"},
    "size": {"fr": "Taille", "en": "Size", "zh": "大小"},
    "date": {"fr": "Date", "en": "Date", "zh": "日期"},
    "format": {"fr": "Format", "en": "Format", "zh": "格式"},
    "harvest_intro": {"fr": "Tout le graphe, pour le moissonnage : dumps, VoID, DCAT.",
                      "en": "The whole graph for harvesting: dumps, VoID, DCAT.",
                      "zh": "整个图谱，可供采集：数据转储、VoID、DCAT。"},
    "usage": {"fr": "Utilisations dans les données", "en": "Uses in the data",
              "zh": "数据中的使用次数"},
    "definition": {"fr": "Définition", "en": "Definition", "zh": "定义"},
    "superclasses": {"fr": "Sous-classe de", "en": "Subclass of", "zh": "父类"},
    "subclasses": {"fr": "Sous-classes", "en": "Subclasses", "zh": "子类"},
    "domain": {"fr": "Domaine", "en": "Domain", "zh": "定义域"},
    "range": {"fr": "Portée", "en": "Range", "zh": "值域"},
    "instances": {"fr": "Instances", "en": "Instances", "zh": "实例"},
    "term_class": {"fr": "classe", "en": "class", "zh": "类"},
    "term_property": {"fr": "propriété", "en": "property", "zh": "属性"},
    "term_individual": {"fr": "individu", "en": "individual", "zh": "个体"},
    "skip": {"fr": "Aller au contenu", "en": "Skip to content", "zh": "跳到正文"},
    "license": {"fr": "Données sous licence CC BY 4.0", "en": "Data under CC BY 4.0",
                "zh": "数据采用 CC BY 4.0 许可"},
    # Quality dashboard and change feed.
    "quality": {"fr": "Qualité des données", "en": "Data quality", "zh": "数据质量"},
    "quality_intro": {"fr": "La liste de travail des curateurs : ce qui manque ou diverge.",
                      "en": "The curators' to-do list: what is missing or disagrees.",
                      "zh": "数据管理员的待办事项：缺失或不一致之处。"},
    "nodes_by_kind": {"fr": "Nœuds par type", "en": "Nodes by kind", "zh": "按类型统计的节点"},
    "unspecified": {"fr": "non précisé", "en": "unspecified", "zh": "未注明"},
    "shacl_warnings": {"fr": "Avertissements SHACL", "en": "SHACL warnings", "zh": "SHACL 警告"},
    "missing_zh": {"fr": "Sans nom chinois", "en": "Without a Chinese name",
                   "zh": "缺少中文名称"},
    "missing_identifier": {"fr": "Sans identifiant externe (Wikidata, ROR, ORCID…)",
                           "en": "Without an external identifier (Wikidata, ROR, ORCID…)",
                           "zh": "缺少外部标识符（Wikidata、ROR、ORCID等）"},
    "sources_cited": {"fr": "Sources les plus citées", "en": "Most cited sources",
                      "zh": "引用最多的来源"},
    "conflicts": {"fr": "Conflits entre sources", "en": "Conflicts between sources",
                  "zh": "来源之间的冲突"},
    # Language tags and copied sources (issue 13).
    "language_warnings": {"fr": "Étiquettes de langue contredites par le texte",
                          "en": "Language tags their text contradicts",
                          "zh": "与文本不符的语言标签"},
    "only_on_copies": {"fr": "Faits reposant seulement sur des copies",
                       "en": "Facts resting only on copies",
                       "zh": "仅依据转载来源的事实"},
    "only_on_copies_intro": {
        "fr": "Leurs seules sources recopient l'article d'un autre éditeur (miroir, agrégateur, "
              "relais) : à confirmer par la source originale.",
        "en": "Their only sources copy another publisher's article (mirror, aggregator, relay): "
              "to be confirmed by the original source.",
        "zh": "其来源均为转载其他发布者文章的页面（镜像、聚合或转发），有待原始来源核实。"},
    "copy_badge": {"fr": "copie", "en": "copy", "zh": "转载"},
    "copy_title": {"fr": "Copie de l'article d'un autre éditeur, de fiabilité inconnue",
                   "en": "Copy of another publisher's article, of unknown reliability",
                   "zh": "转载自其他发布者的文章，可靠性未知"},
    "original": {"fr": "original", "en": "original", "zh": "原文"},
    "entity": {"fr": "Ressource", "en": "Entity", "zh": "实体"},
    "property": {"fr": "Propriété", "en": "Property", "zh": "属性"},
    "value": {"fr": "Valeur", "en": "Value", "zh": "值"},
    "message": {"fr": "Message", "en": "Message", "zh": "信息"},
    "location": {"fr": "Fichier:ligne", "en": "File:line", "zh": "文件:行"},
    "none_found": {"fr": "Rien à signaler.", "en": "Nothing to report.", "zh": "无待处理事项。"},
    "show_list": {"fr": "Afficher la liste", "en": "Show the list", "zh": "显示列表"},
    "as_json": {"fr": "Ces données en JSON", "en": "This data as JSON", "zh": "本页数据 JSON 格式"},
    "change_feed": {"fr": "Flux des modifications (Atom)", "en": "Change feed (Atom)",
                    "zh": "变更订阅（Atom）"},
    "versions": {"fr": "Versions du jeu de données", "en": "Dataset versions",
                 "zh": "数据集版本"},
    "version": {"fr": "Version", "en": "Version", "zh": "版本"},
    "added": {"fr": "ajoutées", "en": "added", "zh": "新增"},
    "changed": {"fr": "modifiées", "en": "changed", "zh": "修改"},
    "removed": {"fr": "supprimées", "en": "removed", "zh": "删除"},
    # Long lists cut in pages; {placeholders} are filled by the templates.
    "pages": {"fr": "Pages", "en": "Pages", "zh": "分页"},
    "previous_page": {"fr": "← Page précédente", "en": "← Previous page", "zh": "← 上一页"},
    "next_page": {"fr": "Page suivante →", "en": "Next page →", "zh": "下一页 →"},
    "page_n_of": {"fr": "Page {number} sur {count}", "en": "Page {number} of {count}",
                  "zh": "第 {number} 页，共 {count} 页"},
    "showing_range": {"fr": "{first}–{last} sur {total}", "en": "{first}–{last} of {total}",
                      "zh": "第 {first}–{last} 项，共 {total} 项"},
    "timeline_all": {"fr": "Toute la chronologie en une requête SPARQL",
                     "en": "The whole timeline as a SPARQL query",
                     "zh": "以 SPARQL 查询获取完整时间线"},
    "network_capped": {"fr": "Les {shown} nœuds les plus reliés sur {total} sont dessinés.",
                       "en": "The {shown} most connected nodes of {total} are drawn.",
                       "zh": "图中显示连接最多的 {shown} 个节点（共 {total} 个）。"},
    # The reconciliation service's preview card (issue 14).
    "reconcile_other_names": {"fr": "Autres noms", "en": "Other names", "zh": "其他名称"},
    "reconcile_part_of": {"fr": "Fait partie de", "en": "Part of", "zh": "隶属于"},
    "reconcile_country": {"fr": "Pays", "en": "Country", "zh": "国家"},
    "reconcile_full_page": {"fr": "Voir la page complète", "en": "See the full page",
                            "zh": "查看完整页面"},
}

# Our names of the terms of other vocabularies the data uses (their own labels exist in English
# only, or not at all): classes capitalised, properties not, as the ontology names its own.
EXTERNAL_NAMES: dict[URIRef, dict[str, str]] = {
    RDF.type: {"fr": "type", "en": "type", "zh": "类型"},
    RDFS.label: {"fr": "libellé", "en": "label", "zh": "标签"},
    RDFS.comment: {"fr": "commentaire", "en": "comment", "zh": "说明"},
    RDFS.seeAlso: {"fr": "voir aussi", "en": "see also", "zh": "另见"},
    SKOS.prefLabel: {"fr": "nom préféré", "en": "preferred name", "zh": "首选名称"},
    SKOS.altLabel: {"fr": "autre nom", "en": "other name", "zh": "别名"},
    SKOS.note: {"fr": "note", "en": "note", "zh": "注释"},
    SKOS.editorialNote: {"fr": "note éditoriale", "en": "editorial note", "zh": "编辑说明"},
    SKOS.definition: {"fr": "définition", "en": "definition", "zh": "定义"},
    SKOS.inScheme: {"fr": "schéma de concepts", "en": "concept scheme", "zh": "概念体系"},
    SKOS.broader: {"fr": "concept plus large", "en": "broader concept", "zh": "上位概念"},
    SKOS.Concept: {"fr": "Concept", "en": "Concept", "zh": "概念"},
    SKOS.ConceptScheme: {"fr": "Schéma de concepts", "en": "Concept scheme", "zh": "概念体系"},
    DCTERMS.title: {"fr": "titre", "en": "title", "zh": "标题"},
    DCTERMS.description: {"fr": "description", "en": "description", "zh": "描述"},
    DCTERMS.date: {"fr": "date", "en": "date", "zh": "日期"},
    DCTERMS.language: {"fr": "langue", "en": "language", "zh": "语言"},
    DCTERMS.source: {"fr": "source", "en": "source", "zh": "来源"},
    FOAF.Person: {"fr": "Personne", "en": "Person", "zh": "人物"},
    FOAF.name: {"fr": "nom", "en": "name", "zh": "名称"},
    FOAF.homepage: {"fr": "site web", "en": "website", "zh": "网站"},
    ORG.Membership: {"fr": "Fonction", "en": "Membership", "zh": "任职"},
    ORG.Role: {"fr": "Rôle", "en": "Role", "zh": "职务"},
    ORG.member: {"fr": "personne", "en": "member", "zh": "任职者"},
    ORG.organization: {"fr": "organisation", "en": "organisation", "zh": "机构"},
    ORG.role: {"fr": "rôle", "en": "role", "zh": "职务"},
    ORG.hasMember: {"fr": "membre", "en": "member", "zh": "成员"},
    ORG.subOrganizationOf: {"fr": "fait partie de", "en": "part of", "zh": "隶属于"},
    OWL.sameAs: {"fr": "identique à", "en": "same as", "zh": "等同于"},
    SCHEMA.email: {"fr": "courriel (institutionnel)", "en": "e-mail (institutional)",
                   "zh": "电子邮件（机构）"},
    SCHEMA.eventStatus: {"fr": "statut de l'événement", "en": "event status", "zh": "活动状态"},
    SCHEMA.EventScheduled: {"fr": "programmé", "en": "scheduled", "zh": "计划中"},
    SCHEMA.sameAs: {"fr": "identique à", "en": "same as", "zh": "等同于"},
}

# The name of each page language in each page language (the badge of a value shown in another
# language than the page's).
LANGUAGE_NAMES_IN = {
    "fr": {"fr": "français", "en": "anglais", "zh": "chinois"},
    "en": {"fr": "French", "en": "English", "zh": "Chinese"},
    "zh": {"fr": "法文", "en": "英文", "zh": "中文"},
}

_LANG_RANGE = re.compile(
    r"^\s*([A-Za-z]{1,8}(?:-[A-Za-z0-9]{1,8})*|\*)\s*(?:;\s*q\s*=\s*([0-9.]+))?")


def parse_accept_language(header: str | None) -> str | None:
    """The supported language the client prefers most, or ``None`` if it names none of ours.

    Ties keep the header's order; ``q=0`` excludes a language.
    """
    best, best_q = None, 0.0
    for item in (header or "").split(","):
        match = _LANG_RANGE.match(item)
        if not match:
            continue
        try:
            q = float(match.group(2)) if match.group(2) else 1.0
        except ValueError:
            continue
        lang = primary(match.group(1))
        if lang in LANGUAGES and q > best_q:
            best, best_q = lang, q
    return best


@lru_cache(maxsize=4096)
@lru_cache(maxsize=256)
def choose_language(param: str | None, cookie: str | None, accept_language: str | None) -> str:
    """The page language: explicit ``?lang=`` first, then the remembered cookie, then the header.
    Kept per arguments: clients send few distinct headers, and every page asks."""
    for candidate in (primary(param), primary(cookie)):
        if candidate in LANGUAGES:
            return candidate
    return parse_accept_language(accept_language) or DEFAULT_LANGUAGE


def ui(lang: str) -> dict[str, str]:
    """Every UI string in ``lang`` (English when a string lacks a translation)."""
    return {key: values.get(lang, values["en"]) for key, values in UI.items()}


def format_date(value: Literal | str, lang: str) -> str:
    """A date in the reader's language, at the precision its datatype states.

    ``2023-11-24`` -> "24 novembre 2023" / "24 November 2023" / "2023年11月24日";
    ``2023-11`` (gYearMonth) -> "novembre 2023"; ``2023`` (gYear) -> "2023".
    Values that are not dates are returned as written.
    """
    text = str(value)
    datatype = getattr(value, "datatype", None)
    match = re.match(r"^(-?\d{4})(?:-(\d{2}))?(?:-(\d{2}))?", text)
    if not match or datatype not in (None, XSD.date, XSD.dateTime, XSD.gYearMonth, XSD.gYear):
        return text
    year, month, day = match.group(1), match.group(2), match.group(3)
    if datatype == XSD.gYear:
        month = day = None
    elif datatype == XSD.gYearMonth:
        day = None
    if lang == "zh":
        return f"{year}年" + (f"{int(month)}月" if month else "") + (f"{int(day)}日" if day else "")
    if not month:
        return year
    month_name = MONTHS.get(lang, MONTHS["en"])[int(month) - 1]
    if not day:
        return f"{month_name} {year}"
    day_text = "1er" if lang == "fr" and int(day) == 1 else str(int(day))
    return f"{day_text} {month_name} {year}"


def sort_key_date(value: Literal | str | None) -> str:
    """A string that sorts dates of mixed precision chronologically ("" first)."""
    return str(value or "")[:10]


_ISO_DATE = re.compile(r"^(-?\d{4})(?:-(\d{2}))?(?:-(\d{2}))?")


def _parts(value: Literal | str) -> tuple[str, str | None, str | None] | None:
    """(year, month, day) of a date at the precision its datatype (or its text) states."""
    datatype = getattr(value, "datatype", None)
    match = _ISO_DATE.match(str(value))
    if not match or datatype not in (None, XSD.date, XSD.dateTime, XSD.gYearMonth, XSD.gYear):
        return None
    year, month, day = match.groups()
    if datatype == XSD.gYear:
        month = day = None
    elif datatype == XSD.gYearMonth:
        day = None
    return year, month, day


def format_date_range(start: Literal | str, end: Literal | str | None, lang: str) -> str:
    """A span written once: "3–5 décembre 2025", "28 November – 2 December 2025",
    "2025年12月3日至5日"; what both ends share (year, month) is said once, and only when both
    ends have the same precision. An end equal to the start (or none) gives one date."""
    if end is None or str(end) == str(start):
        return format_date(start, lang)
    first, last = _parts(start), _parts(end)
    whole = (format_date(start, lang), format_date(end, lang))
    if first is None or last is None or [p is None for p in first] != [p is None for p in last]:
        return _span(*whole, lang)
    (year, month, day), (end_year, end_month, end_day) = first, last
    if month is None:
        return f"{year}年至{end_year}年" if lang == "zh" else f"{year}–{end_year}"
    if year != end_year:
        return _span(*whole, lang)
    if lang == "zh":
        tail = f"{int(end_day)}日" if day and month == end_month else \
            f"{int(end_month)}月" + (f"{int(end_day)}日" if end_day else "")
        return f"{whole[0]}至{tail}"
    names = MONTHS.get(lang, MONTHS["en"])
    if day is None:
        return f"{names[int(month) - 1]} – {names[int(end_month) - 1]} {year}"
    if month == end_month:
        return f"{_day(day, lang)}–{int(end_day)} {names[int(month) - 1]} {year}"
    return f"{_day(day, lang)} {names[int(month) - 1]} – {whole[1]}"


def _day(day: str, lang: str) -> str:
    return "1er" if lang == "fr" and int(day) == 1 else str(int(day))


def _span(first: str, last: str, lang: str) -> str:
    return f"{first}至{last}" if lang == "zh" else f"{first} – {last}"


# Thousands separators: a narrow no-break space in French, a comma in English and Chinese.
THOUSANDS = {"fr": "\u202f", "en": ",", "zh": ","}
DECIMAL = {"fr": ",", "en": ".", "zh": "."}
SIZE_UNITS = {"fr": ("o", "ko", "Mo", "Go"), "en": ("B", "kB", "MB", "GB"),
              "zh": ("B", "kB", "MB", "GB")}


def format_number(number: int, lang: str) -> str:
    """A whole number with the reader's thousands separator ("3 938", "3,938")."""
    return f"{number:,}".replace(",", THOUSANDS.get(lang, ","))


def format_size(size: int, lang: str) -> str:
    """A file size in decimal units with one decimal ("192,6 ko", "192.6 kB")."""
    units = SIZE_UNITS.get(lang, SIZE_UNITS["en"])
    if size < 1000:
        return f"{format_number(size, lang)} {units[0]}"
    value, unit = float(size), 0
    while value >= 1000 and unit < len(units) - 1:
        value, unit = value / 1000, unit + 1
    return f"{value:.1f}".replace(".", DECIMAL.get(lang, ".")) + f" {units[unit]}"


def language_badge(tag: str, lang: str) -> str:
    """The name (in ``lang``) of the language of a value shown on a ``lang`` page in another
    language than the page's, as a fallback; "" when the value is in the page's language or
    in none."""
    shown = primary(tag)
    if not shown or shown == lang:
        return ""
    return LANGUAGE_NAMES_IN.get(lang, LANGUAGE_NAMES_IN["en"]).get(shown, tag)
